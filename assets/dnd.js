// Drag and drop for the boards: a card carries data-drag-url (and data-drag-method); a drop zone
// carries data-drop-field and data-drop-value. Dropping sends {field: value} to the card's URL
// with the signed-in session's cookie; the server publishes the change and every open board,
// this one included, updates itself live.
(function () {
  if (window.aishaDnd) return;
  window.aishaDnd = true;
  let dragged = null;

  document.addEventListener("dragstart", function (event) {
    const card = event.target.closest && event.target.closest("[data-drag-url]");
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.dragUrl);
    card.style.opacity = "0.5";
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.style.opacity = "";
    dragged = null;
    document.querySelectorAll("[data-drop-field].drop-hover").forEach((z) => z.classList.remove("drop-hover"));
  });

  function zoneOf(event) {
    return event.target.closest && event.target.closest("[data-drop-field]");
  }

  document.addEventListener("dragover", function (event) {
    const zone = zoneOf(event);
    if (!zone || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    zone.classList.add("drop-hover");
  });

  document.addEventListener("dragleave", function (event) {
    const zone = zoneOf(event);
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("drop-hover");
  });

  document.addEventListener("drop", async function (event) {
    const zone = zoneOf(event);
    if (!zone || !dragged) return;
    event.preventDefault();
    zone.classList.remove("drop-hover");
    const card = dragged;
    const value = zone.dataset.dropType === "int" ? parseInt(zone.dataset.dropValue, 10) : zone.dataset.dropValue;
    if (card.dataset.dropCurrent === String(zone.dataset.dropValue)) return;
    const response = await fetch(card.dataset.dragUrl, {
      method: card.dataset.dragMethod || "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ [zone.dataset.dropField]: value }),
    });
    if (!response.ok) {
      let message = "The change was not saved.";
      try {
        message = (await response.json()).error.message || message;
      } catch (_) {}
      window.alert(message);
    }
  });
})();
