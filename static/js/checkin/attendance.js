// The organizer's live attendance page: poll the counts every 5 s and update the numbers, tables and bars.
// Without this script the page shows the counts of when it was loaded. Text goes in through textContent only.

const POLL_MS = 5000;
const root = document.getElementById("asistencia");
const number = new Intl.NumberFormat("es-MX");

function cell(tag, text, attributes = {}) {
  const element = document.createElement(tag);
  element.textContent = text;
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

function fillTable(body, rows, labels) {
  const keys = Object.keys(rows).sort();
  const fresh = [];
  for (const key of keys) {
    const tr = document.createElement("tr");
    tr.append(cell("th", labels[key] || key, { scope: "row" }), cell("td", number.format(rows[key].admitted)),
      cell("td", number.format(rows[key].expected)));
    fresh.push(tr);
  }
  if (!fresh.length) {
    const tr = document.createElement("tr");
    tr.append(cell("td", "Sin datos.", { colspan: "3" }));
    fresh.push(tr);
  }
  body.replaceChildren(...fresh);
}

function fillArrivals(list, arrivals) {
  const peak = Math.max(1, ...arrivals.map((bucket) => bucket.count));
  const items = arrivals.map((bucket) => {
    const li = document.createElement("li");
    const meter = cell("meter", String(bucket.count), { min: "0", max: String(peak), value: String(bucket.count) });
    li.append(cell("span", bucket.start, { class: "arrival-time" }), " ", meter, " ",
      cell("span", String(bucket.count), { class: "arrival-count" }));
    return li;
  });
  if (!items.length) items.push(cell("li", "Aún no ha entrado nadie.", { class: "meta" }));
  list.replaceChildren(...items);
}

function update(data) {
  const sections = new Map([...root.querySelectorAll("[data-list]")].map((s) => [s.dataset.list, s]));
  if (data.lists.length !== sections.size || data.lists.some((c) => !sections.has(String(c.list.id)))) {
    window.location.reload(); // a list was added elsewhere: the page layout changes
    return;
  }
  for (const counts of data.lists) {
    const section = sections.get(String(counts.list.id));
    section.querySelector('[data-field="admitted"]').textContent = number.format(counts.admitted);
    section.querySelector('[data-field="expected"]').textContent = number.format(counts.expected);
    const percent = counts.expected ? Math.round((100 * counts.admitted) / counts.expected) : 0;
    section.querySelector('[data-field="percent"]').textContent = String(percent);
    const meter = section.querySelector('[data-field="meter"]');
    meter.max = Math.max(counts.expected, counts.admitted, 1);
    meter.value = counts.admitted;
    meter.textContent = `${counts.admitted} de ${counts.expected}`;
    fillTable(section.querySelector('[data-table="by_sector"]'), counts.by_sector, data.sectors);
    fillTable(section.querySelector('[data-table="by_modality"]'), counts.by_modality, data.modalities);
    fillArrivals(section.querySelector("[data-arrivals]"), counts.arrivals);
  }
}

async function poll(status) {
  if (document.hidden) return;
  try {
    const response = await fetch(root.dataset.url, { headers: { Accept: "application/json" }, cache: "no-store",
      credentials: "same-origin" });
    if (!response.ok || !(response.headers.get("Content-Type") || "").includes("json")) {
      throw new Error(String(response.status));
    }
    update(await response.json());
    const time = new Date().toLocaleTimeString("es-MX", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "America/Mexico_City" });
    status.textContent = `Se actualiza sola cada 5 segundos · última actualización: ${time}`;
    root.classList.remove("is-stale");
  } catch (error) {
    status.textContent = "Sin conexión: las cifras pueden estar atrasadas. Reintentando…";
    root.classList.add("is-stale");
  }
}

if (root) {
  const status = document.getElementById("asistencia-estado");
  status.textContent = "Se actualiza sola cada 5 segundos.";
  setInterval(() => poll(status), POLL_MS);
  document.addEventListener("visibilitychange", () => poll(status));
}
