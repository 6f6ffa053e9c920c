// The gradebook's mark grid: Enter and the Up/Down arrows move between the mark inputs, and each
// mark is checked as it is typed (a number, 0 to the maximum, two decimals at most), the message
// shown beside the input. Nothing here sends anything: Save sends the whole grid.
(() => {
  if (window.oneclassGradebook) return;
  window.oneclassGradebook = true;
  const MARK = 'input[name^="mark_"]';
  const check = (input) => {
    const grid = input.closest("[data-grid-max]");
    const out = document.getElementById("mark-check-" + input.name.slice(5));
    if (!grid || !out) return;
    const text = input.value.trim().replace(",", ".");
    let problem = "";
    if (text !== "" && !/^\d+(\.\d{1,2})?$/.test(text)) problem = grid.dataset.numberMessage;
    else if (text !== "" && Number(text) > Number(grid.dataset.gridMax)) problem = grid.dataset.rangeMessage;
    out.textContent = problem;
    input.setAttribute("aria-invalid", problem ? "true" : "false");
  };
  document.addEventListener("input", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.matches(MARK)) check(event.target);
  });
  document.addEventListener("keydown", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.matches(MARK)) return;
    if (!["Enter", "ArrowDown", "ArrowUp"].includes(event.key)) return;
    event.preventDefault(); // Enter would submit the form; the arrows are ours here
    const all = Array.from(document.querySelectorAll(MARK));
    const next = all[all.indexOf(input) + (event.key === "ArrowUp" ? -1 : 1)];
    if (next) {
      next.focus();
      next.select();
    }
  });
})();
