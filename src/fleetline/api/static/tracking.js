// The tracking page's script: refresh from /status every 30 s, draw the truck on a map,
// save instructions, offer other windows. Every text goes in through textContent, never
// as HTML. Without a tile server (data-tiles empty) the map draws the region's streets
// near the truck and the stop, asked once with ?streets=1 (again if the truck leaves them).

const REFRESH_MS = 30000;
const base = window.location.pathname.replace(/\/+$/, "");
const page = document.getElementById("page");
const byId = (id) => document.getElementById(id);

function show(element, visible) {
  element.hidden = !visible;
}

function setText(id, text) {
  byId(id).textContent = text || "";
}

// --- the map ------------------------------------------------------------------------------

let map = null;
let truckMarker = null;
let homeMarker = null;
let L = null;
let streetLayers = [];
let streetsCover = null; // [min_lon, min_lat, max_lon, max_lat] the streets still frame
let wantStreets = !page.dataset.tiles;

// Road classes drawn bottom first: [colour, width]; the main roads darker and wider.
const STREET_STYLES = [
  ["service", "#cfd5dc", 1],
  ["living_street", "#b3bcc6", 1.5],
  ["residential", "#b3bcc6", 1.5],
  ["unclassified", "#b3bcc6", 1.5],
  ["tertiary", "#9ba6b2", 2.5],
  ["secondary", "#9ba6b2", 2.5],
  ["primary", "#84909d", 3.5],
  ["trunk", "#84909d", 3.5],
  ["motorway", "#84909d", 3.5],
];

function inside(box, point) {
  if (!box) return false;
  return box[1] <= point.lat && point.lat <= box[3] && box[0] <= point.lon && point.lon <= box[2];
}

function drawStreets(streets) {
  if (!map || !streets) return;
  streetLayers.forEach((layer) => map.removeLayer(layer));
  streetLayers = [];
  for (const [name, color, weight] of STREET_STYLES) {
    const lines = streets.classes[name];
    if (!lines || !lines.length) continue;
    const options = { color, weight, opacity: 1, interactive: false };
    if (!streetLayers.length) options.attribution = "&copy; OpenStreetMap contributors";
    streetLayers.push(L.polyline(lines, options).addTo(map));
  }
  if (homeMarker) homeMarker.bringToFront();
  streetsCover = streets.covers;
}

async function loadLeaflet() {
  try {
    ({ leaflet: L } = await import("/track-assets/leaflet.js"));
  } catch (error) {
    L = null;
  }
}

function drawMap(data) {
  const card = byId("map-card");
  show(card, Boolean(data.truck));
  const seen = data.truck && data.truck.seen_at_text;
  setText("truck-seen", seen ? `(seen at ${seen})` : "");
  if (!data.truck || !L) return;
  const truck = [data.truck.lat, data.truck.lon];
  const home = [data.destination.lat, data.destination.lon];
  if (!map) {
    byId("map").textContent = "";
    map = L.map("map", { zoomControl: true, attributionControl: true, preferCanvas: true });
    if (page.dataset.tiles) {
      L.tileLayer(page.dataset.tiles, {
        maxZoom: 18,
        attribution: "&copy; OpenStreetMap contributors",
      }).addTo(map);
    } else {
      byId("map").classList.add("streets");
    }
    const icon = L.icon({
      iconUrl: "/track-assets/images/marker-icon.png",
      iconRetinaUrl: "/track-assets/images/marker-icon-2x.png",
      shadowUrl: "/track-assets/images/marker-shadow.png",
      iconSize: [25, 41],
      iconAnchor: [12, 41],
    });
    homeMarker = L.circleMarker(home, { radius: 9, color: "#0f5132", fillOpacity: 0.9 })
      .addTo(map)
      .bindTooltip("You");
    truckMarker = L.marker(truck, { icon, title: "Your truck" }).addTo(map);
    map.fitBounds(L.latLngBounds([truck, home]), { padding: [40, 40], maxZoom: 15 });
  } else {
    truckMarker.setLatLng(truck);
    homeMarker.setLatLng(home);
  }
  if (data.streets) drawStreets(data.streets);
  const covered = inside(streetsCover, data.truck) && inside(streetsCover, data.destination);
  wantStreets = !page.dataset.tiles && !covered;
}

// --- the status ---------------------------------------------------------------------------

function render(data) {
  setText("state-label", data.state_label);
  setText("headline", data.headline);
  setText("detail", data.detail);
  byId("status-card").classList.toggle("delayed", Boolean(data.delayed));
  show(byId("eta-block"), Boolean(data.eta_window));
  setText("eta", data.eta_window ? data.eta_window.text : "");
  show(byId("delivered-block"), Boolean(data.delivered_at_text));
  setText("delivered-at", data.delivered_at_text);
  setText("promised", data.promised_window.text);
  show(byId("driver-line"), Boolean(data.driver_first_name));
  setText("driver", data.driver_first_name);
  setText("instructions-current", data.instructions || "None yet.");
  show(byId("instructions-form"), data.may_change);
  show(byId("windows-card"), data.state === "dispatched");
  const image = byId("proof-image");
  if (data.proof_image && image.getAttribute("src") !== data.proof_image) {
    image.setAttribute("src", data.proof_image);
  }
  show(image, Boolean(data.proof_image));
  setText("proof-text", data.proof_text);
  show(byId("proof-text"), Boolean(data.proof_text));
  show(byId("proof-card"), Boolean(data.proof_image || data.proof_text));
  setText("updated", data.updated_at_text);
  drawMap(data);
}

async function refresh() {
  try {
    const query = wantStreets ? "?streets=1" : "";
    const answer = await fetch(`${base}/status${query}`, {
      headers: { Accept: "application/json" },
    });
    if (answer.ok) render(await answer.json());
  } catch (error) {
    // offline for a moment: the next refresh tries again
  }
}

async function send(path, body) {
  const answer = await fetch(`${base}/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  const data = await answer.json().catch(() => ({}));
  return { ok: answer.ok, data };
}

function problem(data) {
  return (data && data.error && data.error.message) || "Something went wrong; please try again.";
}

// --- instructions and windows -------------------------------------------------------------

byId("instructions-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = byId("instructions").value.trim();
  const { ok, data } = await send("instructions", { instructions: text });
  setText("instructions-message", ok ? "Saved. Your driver will see it." : problem(data));
  if (ok) refresh();
});

byId("windows-button").addEventListener("click", async () => {
  const list = byId("windows");
  list.textContent = "";
  setText("windows-message", "Looking for windows your truck can keep...");
  const answer = await fetch(`${base}/windows`, { headers: { Accept: "application/json" } });
  const data = await answer.json().catch(() => ({}));
  if (!answer.ok) {
    setText("windows-message", problem(data));
    return;
  }
  if (!data.windows.length) {
    setText("windows-message", "No other window can be kept today; please contact us.");
    return;
  }
  setText("windows-message", "");
  for (const window of data.windows) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "window";
    button.textContent = window.text;
    button.addEventListener("click", async () => {
      const result = await send("window", { start: window.start, end: window.end });
      list.textContent = "";
      setText("windows-message", result.ok ? `Moved to ${window.text}.` : problem(result.data));
      if (result.ok) refresh();
    });
    list.appendChild(button);
  }
});

await loadLeaflet();
await refresh();
setInterval(refresh, REFRESH_MS);
