// Run by each gr.HTML that shows answers, lookups or drafts ("element" is that component).
element.addEventListener('click', (event) => {
  const marker = event.target.closest('button.cite');
  if (marker) {
    const card = element.querySelector('[id="' + marker.dataset.target + '"]');
    if (card) {
      card.open = true;
      card.classList.remove('flash');
      void card.offsetWidth;
      card.classList.add('flash');
      card.scrollIntoView({block: 'nearest', behavior: 'smooth'});
    }
    return;
  }
  const copy = event.target.closest('button.copy');
  if (copy) {
    const source = element.querySelector('[id="' + copy.dataset.target + '"]');
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent).then(() => {
        copy.textContent = 'Copied';
        setTimeout(() => { copy.textContent = 'Copy BibTeX'; }, 1500);
      });
    }
  }
});
// The chat follows the newest answer as it is written, unless the reader has scrolled up to read an
// earlier one; a new question always brings the view down to it.
let following = true;
let turnCount = 0;
let watched = null;
const scroller = () => {
  for (let node = element; node && node !== document.body; node = node.parentElement) {
    const overflow = getComputedStyle(node).overflowY;
    if ((overflow === 'auto' || overflow === 'scroll') && node.scrollHeight > node.clientHeight) return node;
  }
  return null;
};
new MutationObserver(() => {
  if (!element.querySelector('.chat')) return;
  const box = scroller();
  if (!box) return;
  if (box !== watched) {
    box.addEventListener('scroll', () => {
      following = box.scrollHeight - box.scrollTop - box.clientHeight < 48;
    });
    watched = box;
  }
  const count = element.querySelectorAll('.turn').length;
  if (count !== turnCount) following = true;
  turnCount = count;
  if (following) box.scrollTop = box.scrollHeight;
}).observe(element, {childList: true, subtree: true, characterData: true});
