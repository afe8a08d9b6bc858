// Run once when the page loads (passed to launch).
() => {
  // On a narrow screen the settings sidebar would cover the whole app: start with it closed.
  if (window.matchMedia("(max-width: 768px)").matches) {
    const close = () => {
      const sidebar = document.querySelector(".sidebar.open");
      const toggle = sidebar && sidebar.querySelector("button.toggle-button");
      if (toggle) toggle.click();
      return Boolean(toggle) || !document.querySelector(".sidebar");
    };
    if (!close()) {
      const tries = setInterval(() => { if (close()) clearInterval(tries); }, 100);
      setTimeout(() => clearInterval(tries), 5000);
    }
  }
}
