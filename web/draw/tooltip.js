// One floating tooltip for every heatmap. Text only: lines are set with textContent.

export class Tooltip {
  constructor(parent = document.body) {
    this.node = document.createElement('div');
    this.node.className = 'tooltip';
    this.node.setAttribute('role', 'tooltip');
    this.node.hidden = true;
    parent.appendChild(this.node);
  }

  // content: { title, lines: string[] }; x, y: client coordinates of the pointer.
  show(content, x, y) {
    const node = this.node;
    node.replaceChildren();
    const title = document.createElement('div');
    title.className = 'tooltip-title';
    title.textContent = content.title;
    node.appendChild(title);
    for (const line of content.lines) {
      const div = document.createElement('div');
      div.textContent = line;
      node.appendChild(div);
    }
    node.hidden = false;
    // Keep it on screen: prefer below-right of the pointer, flip when it would overflow.
    const pad = 14;
    const { width, height } = node.getBoundingClientRect();
    let left = x + pad;
    let top = y + pad;
    if (left + width > window.innerWidth - 4) left = Math.max(4, x - pad - width);
    if (top + height > window.innerHeight - 4) top = Math.max(4, y - pad - height);
    node.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
  }

  hide() {
    this.node.hidden = true;
  }
}
