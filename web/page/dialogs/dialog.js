// What the page's dialogs share: the Close button and a click on the backdrop (outside the
// dialog's box) close them, Escape does natively, and the focus goes back to the button that
// opened them.

export function closeable(box, opener) {
  box.querySelector('.dialog-close').addEventListener('click', () => box.close());
  box.addEventListener('click', (e) => {
    if (e.target !== box) return;
    const r = box.getBoundingClientRect();
    if (e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom) box.close();
  });
  box.addEventListener('close', () => opener.focus());
}
