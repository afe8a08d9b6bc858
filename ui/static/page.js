// Run once when the page loads (passed to launch).
() => {
  // A skip link, the first thing Tab reaches: it moves the focus to the question box.
  if (!document.querySelector("a.skip-link")) {
    const skip = document.createElement("a");
    skip.href = "#question";
    skip.className = "skip-link";
    skip.textContent = "Skip to the question";
    skip.addEventListener("click", (event) => {
      const box = document.querySelector("#question textarea");
      if (box) {
        event.preventDefault();
        box.focus();
      }
    });
    document.body.prepend(skip);
  }
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
