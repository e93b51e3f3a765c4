// The example's PostgreSQL dataset, "gazetteer": place-name aliases kept by editors in
// PostgreSQL beside the SQLite datasets. The rows are fixed here so that
// scripts/build-example-pgdump.mjs (which makes the dump) and scripts/build-example-store.mjs
// (which lists it in the catalog) agree on them.

export const GAZETTEER = {
  name: "gazetteer",
  path: "datasets/gazetteer.pgdump",
  title: "Place-name aliases",
  description:
    "Other names of the largest cities, kept by editors in PostgreSQL (a pg_dump -Fc of the gazetteer database).",
};

/** A read-only role the dump grants SELECT to, as the production cluster has it. */
export const READER_ROLE = "atlas_reader";

const EDITORS = [
  [1, "ingrid", "2024-02-11"],
  [2, "tomasz", "2024-05-30"],
  [3, "amara", "2024-09-02"],
  [4, "kenji", "2025-01-17"],
  [5, "lucía", "2025-06-08"],
];

// The twelve most populous cities of datasets/cities.sqlite, by id and name.
const CITIES = [
  [269, "Zanarton Springs", "NZ"],
  [654, "Kalorford Springs", "IS"],
  [1357, "Ishanburg", "PL"],
  [2505, "Zananton del Mar", "KR"],
  [440, "Jorenpolis Springs", "PT"],
  [2852, "Dunoheim", "GB"],
  [1256, "Toranona an der Furt", "NO"],
  [936, "Wesarville North", "AR"],
  [1412, "Kaleshaven Bay", "IT"],
  [974, "Valawick", "PL"],
  [2427, "Kalorby North", "TR"],
  [1792, "Tarilium Bay", "FI"],
];

function aliases() {
  const rows = [];
  CITIES.forEach(([cityId, name], i) => {
    const first = name.split(" ")[0];
    const initials = name
      .split(" ")
      .map((word) => word[0])
      .join("")
      .toUpperCase();
    const kinds = [
      [first, "en"],
      [`Old ${first}`, "en"],
      [`${initials}-${String(cityId).padStart(4, "0")}`, "und"],
    ];
    kinds.forEach(([alias, language], k) => {
      const id = i * 3 + k + 1;
      const editor = EDITORS[(i + k) % EDITORS.length][0];
      const day = String(1 + ((i * 7 + k * 3) % 28)).padStart(2, "0");
      rows.push([
        id,
        cityId,
        alias,
        language,
        editor,
        `2025-${String(1 + (i % 12)).padStart(2, "0")}-${day} 09:${String(k * 15).padStart(2, "0")}:00+00`,
      ]);
    });
  });
  return rows;
}

// No primary key on purpose: the content digest orders such a table by its rows' text.
const NOTES = [
  ["NO", "Toranona an der Furt: the ferry name is used locally."],
  ["PL", "Two of the twelve largest cities; aliases reviewed in 2025."],
  ["GB", "Dunoheim's old spelling appears on maps before 1900."],
  ["IS", "Names with þ and ð are kept as written."],
  ["KR", "Romanised names only."],
  ["IT", "Bay names\tfollow the harbour authority."],
  ["FI", "Swedish and Finnish names are both official."],
  ["AR", 'Wesarville North is also called "WN" by locals.'],
];

/** The tables and their row counts, as the catalog lists them. */
export const GAZETTEER_TABLES = [
  { name: "boundary_notes", rows: NOTES.length },
  { name: "editors", rows: EDITORS.length },
  { name: "place_aliases", rows: CITIES.length * 3 },
];

const literal = (value) =>
  typeof value === "number" ? String(value) : `'${String(value).replaceAll("'", "''")}'`;
const values = (rows) => rows.map((row) => `(${row.map(literal).join(", ")})`).join(",\n  ");

/** The SQL that makes the gazetteer database, run in an empty database. */
export function gazetteerSQL() {
  return `
CREATE TABLE editors (
  id integer PRIMARY KEY,
  handle text NOT NULL UNIQUE,
  joined_on date NOT NULL
);
CREATE TABLE place_aliases (
  id integer PRIMARY KEY,
  city_id integer NOT NULL,
  alias text NOT NULL,
  language text NOT NULL,
  editor_id integer NOT NULL REFERENCES editors (id),
  added_at timestamptz NOT NULL
);
CREATE INDEX place_aliases_city ON place_aliases (city_id);
CREATE TABLE boundary_notes (
  country_code char(2) NOT NULL,
  note text NOT NULL
);
INSERT INTO editors VALUES
  ${values(EDITORS)};
INSERT INTO place_aliases VALUES
  ${values(aliases())};
INSERT INTO boundary_notes VALUES
  ${values(NOTES)};
GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${READER_ROLE};
`;
}
