// The one element-making helper of the page, the widget and the heatmap.

// Creates <tag>, sets its text (as text, never HTML) and appends it to parent.
//   props: a class name (a string), or an object of what else to set: `class` (the class name),
//          `text` (the text), a property the element has (type, value, disabled, …) set as
//          that property, and anything else (part, role, aria-*, dir) as an attribute.
//   el('span', 'shape', head, '3 × 4'); el('input', { type: 'range', min: -200, part: 'x' }, row)
export function el(tag, props, parent, text) {
  const node = document.createElement(tag);
  if (typeof props === 'string') {
    if (props) node.className = props;
  } else if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (key === 'text') node.textContent = value;
      else if (key === 'class') node.className = value;
      else if (key in node) node[key] = value;
      else node.setAttribute(key, value);
    }
  }
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}
