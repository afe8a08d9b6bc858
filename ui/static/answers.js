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
