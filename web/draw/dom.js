// DOM helpers shared by the page modules.

// Creates <tag class=className>, sets its text (as text, never HTML) and appends it to parent.
export function el(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}
