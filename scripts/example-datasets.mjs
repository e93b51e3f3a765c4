// The bundled Atlas example's three SQLite datasets, generated deterministically: one seeded
// PRNG, a fixed order of everything, no clock, so every run gives the same bytes as the
// committed ops/store (page_size 4096, journal_mode DELETE, VACUUM before close). Any change to
// the order of random() calls below changes every file after it, and the example must then be
// sealed again (see README). Used by scripts/build-example-store.mjs.
import Database from "better-sqlite3";

// mulberry32: small, fast, and the same on every machine.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(20261101);
const pick = (items) => items[Math.floor(random() * items.length)];
const between = (lo, hi) => lo + random() * (hi - lo);
const round = (value, places) => Math.round(value * 10 ** places) / 10 ** places;

// Real countries: ISO 3166 alpha-2, name, continent, rough latitude and longitude box, timezone.
export const COUNTRIES = [
  ["AR", "Argentina", "South America", [-50, -25], [-70, -58], "America/Argentina/Buenos_Aires"],
  ["AT", "Austria", "Europe", [46.5, 48.8], [9.6, 17], "Europe/Vienna"],
  ["AU", "Australia", "Oceania", [-38, -17], [115, 153], "Australia/Sydney"],
  ["BR", "Brazil", "South America", [-30, -3], [-60, -35], "America/Sao_Paulo"],
  ["CA", "Canada", "North America", [43, 60], [-123, -63], "America/Toronto"],
  ["CH", "Switzerland", "Europe", [45.9, 47.7], [6, 10.4], "Europe/Zurich"],
  ["CL", "Chile", "South America", [-45, -18], [-73, -69], "America/Santiago"],
  ["CN", "China", "Asia", [22, 45], [100, 122], "Asia/Shanghai"],
  ["CZ", "Czechia", "Europe", [48.6, 51], [12.2, 18.8], "Europe/Prague"],
  ["DE", "Germany", "Europe", [47.4, 54.9], [6, 15], "Europe/Berlin"],
  ["DK", "Denmark", "Europe", [54.6, 57.7], [8.1, 12.6], "Europe/Copenhagen"],
  ["EG", "Egypt", "Africa", [22, 31.5], [25, 34.5], "Africa/Cairo"],
  ["ES", "Spain", "Europe", [36, 43.7], [-9, 3.3], "Europe/Madrid"],
  ["FI", "Finland", "Europe", [60, 69], [21, 30], "Europe/Helsinki"],
  ["FR", "France", "Europe", [43, 51], [-4.5, 7.5], "Europe/Paris"],
  ["GB", "United Kingdom", "Europe", [50, 58.5], [-5.5, 1.7], "Europe/London"],
  ["GR", "Greece", "Europe", [35, 41.5], [20.5, 26.5], "Europe/Athens"],
  ["IE", "Ireland", "Europe", [51.5, 55.3], [-10, -6], "Europe/Dublin"],
  ["IN", "India", "Asia", [9, 30], [72, 88], "Asia/Kolkata"],
  ["IS", "Iceland", "Europe", [63.4, 66.4], [-24, -13.5], "Atlantic/Reykjavik"],
  ["IT", "Italy", "Europe", [37, 46.5], [7, 18.5], "Europe/Rome"],
  ["JP", "Japan", "Asia", [31, 43.5], [130, 145], "Asia/Tokyo"],
  ["KE", "Kenya", "Africa", [-4.5, 4.5], [34, 41.5], "Africa/Nairobi"],
  ["KR", "South Korea", "Asia", [34.5, 38.5], [126, 129.5], "Asia/Seoul"],
  ["MA", "Morocco", "Africa", [29, 35.8], [-10, -1.5], "Africa/Casablanca"],
  ["MX", "Mexico", "North America", [16, 31], [-115, -87], "America/Mexico_City"],
  ["NG", "Nigeria", "Africa", [4.5, 13.5], [3, 14], "Africa/Lagos"],
  ["NL", "Netherlands", "Europe", [51, 53.5], [3.5, 7.1], "Europe/Amsterdam"],
  ["NO", "Norway", "Europe", [58, 70.5], [5, 30], "Europe/Oslo"],
  ["NZ", "New Zealand", "Oceania", [-46.5, -35], [167, 178.5], "Pacific/Auckland"],
  ["PE", "Peru", "South America", [-17.5, -3.5], [-81, -69], "America/Lima"],
  ["PL", "Poland", "Europe", [49.2, 54.7], [14.2, 24], "Europe/Warsaw"],
  ["PT", "Portugal", "Europe", [37, 42], [-9.4, -6.3], "Europe/Lisbon"],
  ["SE", "Sweden", "Europe", [55.4, 68.5], [11.2, 23.5], "Europe/Stockholm"],
  ["TR", "Turkey", "Asia", [36.2, 42], [26.5, 44.5], "Europe/Istanbul"],
  ["US", "United States", "North America", [26, 48.5], [-122, -71], "America/Chicago"],
  ["VN", "Vietnam", "Asia", [9, 23], [103, 109], "Asia/Ho_Chi_Minh"],
  ["ZA", "South Africa", "Africa", [-34.5, -23], [17, 32], "Africa/Johannesburg"],
];

const ONSETS = [
  "Val",
  "Kes",
  "Mor",
  "Tar",
  "Bel",
  "Dun",
  "Ar",
  "Lin",
  "Ost",
  "Sol",
  "Bra",
  "Cal",
  "Fen",
  "Gor",
  "Hal",
  "Ish",
  "Jor",
  "Kal",
  "Mar",
  "Nor",
  "Pel",
  "Riv",
  "Sar",
  "Tor",
  "Vel",
  "Wes",
  "Zan",
];
const MIDDLES = ["", "a", "e", "i", "o", "an", "en", "or", "il", "ar", "es"];
const ENDINGS = [
  "mora",
  "burg",
  "stad",
  "ford",
  "heim",
  "ville",
  "polis",
  "dal",
  "vik",
  "ton",
  "grad",
  "haven",
  "by",
  "wick",
  "ona",
  "ara",
  "ium",
  "ho",
];
const SUFFIXES = [
  "",
  "",
  "",
  "",
  " an der Furt",
  " Bay",
  " Springs",
  " North",
  " Port",
  " del Mar",
];
// A few names that exercise encodings: accents, Polish, Greek, Japanese, Icelandic.
const SPECIAL_NAMES = [
  "São Vicente",
  "Zürichsee",
  "Łódź Nowa",
  "Αγία Μαρίνα",
  "新川町",
  "Reykjahlíð",
  "Ærøskøbing",
  "Český Brod",
  "Nîmes-Sud",
  "Ōmachi",
];

// At most 27 x 11 x 18 x 7 = 37,422 distinct names for 3,000 cities, so a fresh one comes within
// a few draws; the bound turns a name pool too small for the count into an error, not a hang.
const NAME_ATTEMPTS = 1000;

function cityName(used) {
  for (let attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
    const name = pick(ONSETS) + pick(MIDDLES) + pick(ENDINGS) + pick(SUFFIXES);
    if (!used.has(name)) {
      used.add(name);
      return name;
    }
  }
  throw new Error(`no unused city name in ${NAME_ATTEMPTS} draws after ${used.size} names`);
}

function population() {
  // Pareto-like: many small towns, a few large cities.
  const u = Math.max(random(), 1e-6);
  return Math.round(Math.min(2000 / u ** 1.15, 14_000_000));
}

function createDatabase(path, schema) {
  const db = new Database(path);
  db.pragma("page_size = 4096");
  db.pragma("journal_mode = DELETE");
  db.exec(schema);
  return db;
}

function finish(db) {
  db.exec("VACUUM");
  db.close();
}

export function buildCities(path) {
  const db = createDatabase(
    path,
    `CREATE TABLE countries(code TEXT PRIMARY KEY, name TEXT NOT NULL, continent TEXT NOT NULL, capital_city_id INTEGER);
     CREATE TABLE cities(id INTEGER PRIMARY KEY, name TEXT NOT NULL, country_code TEXT NOT NULL REFERENCES countries(code),
       admin_region TEXT, latitude REAL NOT NULL, longitude REAL NOT NULL, population INTEGER NOT NULL,
       elevation_m INTEGER, timezone TEXT NOT NULL);
     CREATE INDEX cities_country ON cities(country_code);`,
  );
  const used = new Set();
  const cities = [];
  const insertCity = db.prepare("INSERT INTO cities VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const insertCountry = db.prepare("INSERT INTO countries VALUES (?, ?, ?, ?)");
  db.transaction(() => {
    for (const [code, name, continent] of COUNTRIES) insertCountry.run(code, name, continent, null);
    for (let id = 1; id <= 3000; id++) {
      const [code, , , lat, lon, timezone] = pick(COUNTRIES);
      const name =
        id % 300 === 0 ? SPECIAL_NAMES[(id / 300 - 1) % SPECIAL_NAMES.length] : cityName(used);
      const city = {
        id,
        name,
        code,
        region:
          random() < 0.15 ? null : `Region ${String.fromCharCode(65 + Math.floor(random() * 12))}`,
        latitude: round(between(lat[0], lat[1]), 5),
        longitude: round(between(lon[0], lon[1]), 5),
        population: population(),
        elevation: random() < 0.1 ? null : Math.round(between(-5, 2400) * random()),
        timezone,
      };
      cities.push(city);
      insertCity.run(
        id,
        city.name,
        code,
        city.region,
        city.latitude,
        city.longitude,
        city.population,
        city.elevation,
        timezone,
      );
    }
    // The capital is the most populous generated city of each country.
    const setCapital = db.prepare("UPDATE countries SET capital_city_id = ? WHERE code = ?");
    for (const [code] of COUNTRIES) {
      const biggest = cities
        .filter((c) => c.code === code)
        .sort((a, b) => b.population - a.population)[0];
      if (biggest) setCapital.run(biggest.id, code);
    }
  })();
  finish(db);
  return cities;
}

export function buildAirports(path, cities) {
  const db = createDatabase(
    path,
    `CREATE TABLE airports(iata TEXT PRIMARY KEY, icao TEXT, name TEXT NOT NULL, city_id INTEGER, country_code TEXT NOT NULL,
       latitude REAL, longitude REAL, elevation_ft INTEGER) WITHOUT ROWID;
     CREATE TABLE runways(id INTEGER PRIMARY KEY, airport_iata TEXT NOT NULL REFERENCES airports(iata),
       length_m INTEGER NOT NULL, surface TEXT NOT NULL, heading_deg INTEGER NOT NULL);
     CREATE INDEX runways_airport ON runways(airport_iata);`,
  );
  const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const codes = new Set();
  const airports = [];
  const byPopulation = [...cities].sort((a, b) => b.population - a.population).slice(0, 1200);
  const insertAirport = db.prepare("INSERT INTO airports VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  const insertRunway = db.prepare("INSERT INTO runways VALUES (?, ?, ?, ?, ?)");
  db.transaction(() => {
    for (const city of byPopulation) {
      let iata;
      do iata = Array.from({ length: 3 }, () => pick([...letters])).join("");
      while (codes.has(iata));
      codes.add(iata);
      const kind =
        city.population > 500_000
          ? "International"
          : city.population > 60_000
            ? "Regional"
            : "Airfield";
      const icao = random() < 0.05 ? null : `${city.code[0]}${iata}`;
      const elevationFt = city.elevation === null ? null : Math.round(city.elevation * 3.28084);
      airports.push(iata);
      insertAirport.run(
        iata,
        icao,
        `${city.name} ${kind}`,
        city.id,
        city.code,
        round(city.latitude + between(-0.2, 0.2), 5),
        round(city.longitude + between(-0.2, 0.2), 5),
        elevationFt,
      );
    }
    let runwayId = 1;
    for (const iata of airports) {
      const count = random() < 0.6 ? 1 : random() < 0.8 ? 2 : 3;
      for (let i = 0; i < count && runwayId <= 2000; i++) {
        insertRunway.run(
          runwayId++,
          iata,
          Math.round(between(900, 4200)),
          pick(["asphalt", "asphalt", "concrete", "grass", "gravel"]),
          Math.round(between(0, 35)) * 10,
        );
      }
    }
  })();
  finish(db);
  return airports.length;
}

export function buildWeather(path, cities) {
  const db = createDatabase(
    path,
    `CREATE TABLE stations(station_id TEXT PRIMARY KEY, city_id INTEGER, name TEXT NOT NULL, latitude REAL NOT NULL,
       longitude REAL NOT NULL, opened_year INTEGER);
     CREATE TABLE monthly_normals(station_id TEXT NOT NULL REFERENCES stations(station_id),
       month INTEGER NOT NULL CHECK(month BETWEEN 1 AND 12), mean_temp_c REAL, precip_mm REAL, sunshine_h REAL,
       PRIMARY KEY(station_id, month));`,
  );
  const insertStation = db.prepare("INSERT INTO stations VALUES (?, ?, ?, ?, ?, ?)");
  const insertNormal = db.prepare("INSERT INTO monthly_normals VALUES (?, ?, ?, ?, ?)");
  db.transaction(() => {
    for (let i = 0; i < 250; i++) {
      const city = cities[i * 12];
      const id = `${city.code}${String(10000 + i * 37).padStart(5, "0")}`;
      insertStation.run(
        id,
        city.id,
        `${city.name} Observatory`,
        city.latitude,
        city.longitude,
        1870 + Math.floor(random() * 140),
      );
      const annual = 28 - Math.abs(city.latitude) * 0.45 + between(-2, 2);
      const swing = Math.abs(city.latitude) * 0.28;
      const wet = between(20, 160);
      const hasSunshine = random() > 0.12;
      for (let month = 1; month <= 12; month++) {
        // Seasons follow the hemisphere: July is warm in the north and cold in the south.
        const season = Math.cos(((month - 7) / 12) * 2 * Math.PI) * (city.latitude >= 0 ? 1 : -1);
        const temp = round(annual + swing * season, 1);
        const precip = round(Math.max(0, wet * (1 - 0.4 * season) + between(-10, 10)), 1);
        const sunshine = hasSunshine
          ? round(Math.max(20, 120 + 90 * season + between(-15, 15)), 1)
          : null;
        insertNormal.run(id, month, temp, precip, sunshine);
      }
    }
  })();
  finish(db);
}
