// Builds the bundled Atlas example store (ops/store) deterministically: one seeded PRNG, a fixed
// order of everything, no clock. Two runs give byte-identical files. Run it only to change the
// example; then seal the release again (see README).
//   node scripts/build-example-store.mjs [outDir]
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { GAZETTEER, GAZETTEER_TABLES } from "./example-gazetteer.mjs";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = resolve(process.argv[2] ?? join(REPO, "ops", "store"));

// --- randomness -------------------------------------------------------------------------------

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
const chance = (p) => random() < p;
const round = (value, places) => Math.round(value * 10 ** places) / 10 ** places;
const round2 = (value) => round(value, 2);

function weighted(items, weightOf) {
  const total = items.reduce((n, item) => n + weightOf(item), 0);
  let r = random() * total;
  for (const item of items) {
    r -= weightOf(item);
    if (r < 0) return item;
  }
  return items[items.length - 1];
}

// --- place names ------------------------------------------------------------------------------

// Name styles: a name is [prefix] + Onset + middle + ending + [suffix], or two words.
const STYLES = {
  germanic: {
    onsets: ["Kes", "Wal", "Ober", "Lin", "Rot", "Alt", "Eich", "Bir", "Hol", "Mar", "Lau", "Gru"],
    middles: ["", "", "en", "el", "er", "s"],
    endings: ["burg", "heim", "dorf", "feld", "hausen", "stadt", "bach", "au", "ingen", "brück"],
    prefixes: ["Bad ", "Sankt ", "Neu", "Groß"],
    suffixes: [" an der Furt", " am See", " im Tal", " ob der Au", " am Rhein"],
  },
  dutch: {
    onsets: ["Zwa", "Bre", "Hil", "Ven", "Aal", "Del", "Gor", "Wes", "Oos", "Ha", "Lee", "Sneek"],
    middles: ["", "", "ter", "er", "s", "el"],
    endings: ["dam", "hoven", "wijk", "recht", "drecht", "lo", "zijl", "veen", "huizen", "hem"],
    prefixes: ["Nieuw-", "Oud-", "Sint "],
    suffixes: [" aan Zee", " aan de Maas", " op Zoom"],
  },
  nordic: {
    onsets: ["Tor", "Hal", "Sol", "Ny", "Kval", "Ber", "Lin", "Fjell", "Ros", "Mal", "Vin", "Hel"],
    middles: ["", "", "e", "s", "ling", "ne"],
    endings: ["vik", "by", "stad", "holm", "dal", "sund", "fjord", "strand", "berg", "nes", "ø"],
    prefixes: ["Øvre ", "Nedre ", "Nor", "Sør"],
    suffixes: [" Norra", " Södra", " Strand"],
  },
  finnic: {
    onsets: ["Kuu", "Jär", "Lah", "Vaa", "Sei", "Kok", "Rau", "Hä", "Tam", "Pori", "Oul", "Mik"],
    middles: ["", "", "a", "i", "ma", "ne"],
    endings: ["la", "järvi", "koski", "salo", "niemi", "mäki", "lahti", "vaara", "joki", "saari"],
    prefixes: [],
    suffixes: [],
  },
  english: {
    onsets: ["Ash", "Brad", "Chel", "Dun", "Elm", "Fair", "Glen", "Hart", "King", "Lang", "Mill"],
    middles: ["", "", "ing", "er", "s", "en"],
    endings: ["ford", "ton", "wick", "bury", "field", "haven", "brook", "ley", "mouth", "dale"],
    prefixes: ["Port ", "Mount ", "Fort ", "New ", "East ", "West "],
    suffixes: [" Springs", " Falls", " Junction", " Harbour", " Crossing", " Heights", " Bay"],
  },
  afrikaans: {
    onsets: ["Bloem", "Kroon", "Wit", "Rooi", "Stel", "Bet", "Mag", "Kle", "Paar", "Vry", "Oos"],
    middles: ["", "", "en", "e", "s"],
    endings: ["fontein", "dorp", "kloof", "stad", "burg", "rivier", "bosch", "kraal", "berg"],
    prefixes: ["Nieu-", "Port "],
    suffixes: [" Wes", " Oos", " Noord"],
  },
  spanish: {
    onsets: ["Val", "Mor", "Cal", "Tor", "Sal", "Alb", "Cas", "Mon", "Vil", "Pal", "Gua", "Mir"],
    middles: ["", "", "a", "e", "o", "ar", "en"],
    endings: ["ona", "ara", "ejo", "illa", "eda", "anca", "uela", "ales", "oso", "ira", "ón"],
    prefixes: ["San ", "Santa ", "Villa ", "Puerto "],
    suffixes: [" del Mar", " de la Sierra", " del Río", " de Abajo", " el Alto", " de Peña"],
  },
  portuguese: {
    onsets: ["Val", "Mor", "Alc", "Bar", "Cam", "Fal", "Itá", "Jun", "Lag", "Pir", "Ser", "Tau"],
    middles: ["", "", "a", "e", "o", "ar"],
    endings: ["ora", "inho", "eira", "ança", "ão", "ares", "elos", "uda", "ema", "acá"],
    prefixes: ["São ", "Santa ", "Vila ", "Porto "],
    suffixes: [" do Sul", " da Serra", " dos Campos", " de Baixo", " do Norte"],
  },
  french: {
    onsets: ["Val", "Mor", "Beau", "Char", "Mont", "Ro", "Lan", "Ver", "Bel", "Cour", "Gi", "Mar"],
    middles: ["", "", "e", "i", "an", "en"],
    endings: ["ville", "court", "mont", "ac", "ières", "eux", "ange", "y", "oux", "ançon"],
    prefixes: ["Saint-", "Sainte-", "Le ", "La "],
    suffixes: ["-sur-Mer", "-les-Bains", "-en-Vallée", "-sur-Loire", "-la-Forêt"],
  },
  italian: {
    onsets: ["Val", "Mor", "Cal", "Tor", "Mon", "Ros", "Ber", "Lu", "Fi", "Ser", "Cor", "Pon"],
    middles: ["", "", "a", "e", "i", "ar", "en"],
    endings: ["ello", "ano", "ona", "ino", "ate", "esca", "iglia", "ora", "ezzo", "icchio"],
    prefixes: ["San ", "Santa ", "Castel", "Borgo "],
    suffixes: [" al Mare", " di Sopra", " Terme", " in Valle", " Marittima"],
  },
  polish: {
    onsets: ["Wol", "Kra", "Brze", "Lip", "Gor", "Rad", "Dąb", "Ost", "Sos", "Zab", "Krz", "Nowo"],
    middles: ["", "", "o", "e", "ni"],
    endings: ["ów", "ice", "owo", "any", "ec", "ówka", "no", "sk", "ń", "awa"],
    prefixes: [],
    suffixes: [" Wielki", " Mały", " Dolny", " Górny", " Śląski"],
  },
  czech: {
    onsets: ["Hra", "Lit", "Pra", "Brn", "Kol", "Ost", "Tře", "Jih", "Beř", "Zli", "Cho", "Rou"],
    middles: ["", "", "o", "e", "ni"],
    endings: ["ice", "ov", "ín", "any", "ec", "ná", "nice", "ava"],
    prefixes: ["Horní ", "Dolní "],
    suffixes: [" nad Labem", " pod Horou", " nad Vltavou", " u Brna"],
  },
  greek: {
    onsets: ["Ag", "Kal", "Mes", "Thes", "Lef", "Pan", "Kor", "Ner", "Mel", "Ser", "Ark", "Vol"],
    middles: ["", "", "a", "o", "i"],
    endings: ["polis", "ia", "os", "itsa", "ades", "ori", "ini", "akio", "ena"],
    prefixes: ["Nea ", "Agios ", "Ano ", "Kato "],
    suffixes: [],
  },
  turkish: {
    onsets: ["Kara", "Ak", "Yeni", "Çam", "Kız", "Gül", "Bey", "Dere", "Su", "Taş", "Sarı", "Ören"],
    middles: ["", ""],
    endings: ["köy", "lar", "hisar", "pınar", "dere", "ova", "kent", "yurt", "lı", "tepe"],
    prefixes: [],
    suffixes: [],
  },
  arabic: {
    onsets: ["Mans", "Qas", "Tah", "Zar", "Fes", "Mek", "Kha", "Sha", "Ham", "Tar", "Nad", "Bat"],
    middles: ["", "", "a", "i", "ou"],
    endings: ["ura", "ir", "ahra", "ouda", "ine", "ate", "alla", "ia", "aya"],
    prefixes: ["El ", "Ain ", "Bir ", "Sidi ", "Kafr ", "Beni ", "Ras "],
    suffixes: [],
  },
  yoruba: {
    onsets: ["Ab", "Og", "Il", "Ib", "Os", "Ak", "Ed", "On", "Ik", "Ij", "Ad", "Ow"],
    middles: ["", "o", "a", "e", "u"],
    endings: ["ola", "ade", "bo", "shi", "wa", "ja", "eku", "ogbo", "emi"],
    prefixes: ["Ile-", "Ado-"],
    suffixes: [],
  },
  swahili: {
    onsets: ["Ki", "Ma", "Nya", "Mo", "Ga", "Lo", "Ru", "Tha", "Eld", "Mwe", "Ka", "Nje"],
    middles: ["", "ku", "ra", "mu", "li", "ta"],
    endings: ["ni", "ru", "ka", "nge", "ria", "tu", "ndo", "mba", "si"],
    prefixes: [],
    suffixes: [],
  },
  indic: {
    onsets: ["Ram", "Shiv", "Chand", "Bhav", "Kris", "Sur", "Madh", "Kal", "Dev", "Hari", "Anant"],
    middles: ["", "", "a", "i"],
    endings: ["pur", "abad", "nagar", "garh", "ganj", "pura", "kot", "wadi", "gaon"],
    prefixes: [],
    suffixes: [],
  },
  indonesian: {
    onsets: ["Suka", "Banjar", "Tanjung", "Karang", "Sumber", "Cipa", "Mekar", "Batu", "Sido"],
    middles: ["", ""],
    endings: ["jaya", "rejo", "sari", "mulya", "asih", "anyar", "raya", "wangi", "harjo"],
    prefixes: [],
    suffixes: [],
  },
  chinese: {
    onsets: ["Xin", "Bao", "Ling", "Hua", "Jin", "Tai", "Chang", "Nan", "Dong", "Xi", "Yong", "Fu"],
    middles: [""],
    endings: ["zhou", "yang", "an", "ning", "shan", "cheng", "kou", "ping", "jiang", "tai"],
    prefixes: [],
    suffixes: [],
  },
  japanese: {
    onsets: ["Ka", "Ki", "Ta", "Mo", "Na", "Hi", "Sa", "Shi", "To", "Ya", "Ō", "Mi", "Fu"],
    middles: ["", "ka", "ra", "no", "ta", "ri", "ku"],
    endings: ["machi", "shima", "yama", "gawa", "saki", "hara", "zawa", "oka", "da", "mura"],
    prefixes: [],
    suffixes: [],
  },
  korean: {
    onsets: ["Gwang", "Seo", "Cheong", "Dae", "Yeong", "Gim", "Pyeong", "Nam", "Sang", "Hwa"],
    middles: [""],
    endings: ["ju", "cheon", "san", "won", "dong", "pyeong", "gu", "chang"],
    prefixes: [],
    suffixes: [],
  },
  vietnamese: {
    words: ["Bình", "Thanh", "Long", "Phú", "Tân", "Hòa", "An", "Đông", "Mỹ", "Quảng", "Vĩnh"],
  },
};

function baseName(style) {
  if (style.words) {
    const first = pick(style.words);
    let second = pick(style.words);
    while (second === first) second = pick(style.words);
    return `${first} ${second}`;
  }
  const word = pick(style.onsets) + pick(style.middles) + pick(style.endings);
  return word[0].toUpperCase() + word.slice(1);
}

function placeName(style) {
  let name = baseName(style);
  if (style.prefixes?.length && chance(0.08)) {
    const prefix = pick(style.prefixes);
    name =
      prefix.endsWith(" ") || prefix.endsWith("-") ? prefix + name : prefix + name.toLowerCase();
  }
  if (style.suffixes?.length && chance(0.08)) name += pick(style.suffixes);
  return name;
}

// Names in other scripts and with diacritics, so that every layer must handle UTF-8.
const SPECIAL_NAMES = {
  BR: ["São Vicente do Sul", "Ribeirão das Araras"],
  CH: ["Zürichberg", "Neuchâtel-Ouest"],
  PL: ["Łódź Nowa", "Żółkiewka Dolna"],
  GR: ["Αγία Μαρίνα", "Νέα Σμύρνη"],
  JP: ["新川町", "北浦市"],
  IS: ["Reykjahlíð"],
  DK: ["Ærøskøbing Vest"],
  CZ: ["Český Brod"],
  FR: ["Nîmes-Sud", "Saint-Étienne-du-Bois"],
  TR: ["Gümüşhane Yaylası"],
  VN: ["Bình Thạnh Đông"],
  CN: ["新安镇"],
  KR: ["서귀동"],
  ES: ["Peñaranda del Río"],
  DE: ["Großenkessel an der Furt"],
  SE: ["Åsele Norra"],
  EG: ["العين الجديدة"],
  IN: ["नया गाँव"],
};

// --- countries --------------------------------------------------------------------------------

// Real countries: ISO 3166-1 alpha-2, name, continent, name style, ICAO prefix, typical
// elevation range (m), share of generated cities, latitude/longitude boxes where towns lie, and
// time zone (one, or [easternmost longitude, zone] bands from west to east).
const COUNTRIES = [
  [
    "AR",
    "Argentina",
    "South America",
    "spanish",
    "SA",
    [5, 1500],
    3,
    [
      [
        [-38, -22],
        [-68, -58],
      ],
      [
        [-52, -38],
        [-72, -63],
      ],
    ],
    "America/Argentina/Buenos_Aires",
  ],
  [
    "AT",
    "Austria",
    "Europe",
    "germanic",
    "LO",
    [150, 1600],
    2,
    [
      [
        [46.6, 48.7],
        [9.8, 16.9],
      ],
    ],
    "Europe/Vienna",
  ],
  [
    "AU",
    "Australia",
    "Oceania",
    "english",
    "Y",
    [0, 700],
    3,
    [
      [
        [-35, -27],
        [115.5, 122],
      ],
      [
        [-38, -26],
        [138, 153],
      ],
      [
        [-20, -12],
        [130, 146],
      ],
    ],
    [
      [129, "Australia/Perth"],
      [141, "Australia/Adelaide"],
      [180, "Australia/Sydney"],
    ],
  ],
  [
    "BR",
    "Brazil",
    "South America",
    "portuguese",
    "SB",
    [0, 1100],
    6,
    [
      [
        [-30, -20],
        [-55, -40],
      ],
      [
        [-20, -3],
        [-50, -35],
      ],
      [
        [-12, -2],
        [-68, -50],
      ],
    ],
    [
      [-60, "America/Manaus"],
      [0, "America/Sao_Paulo"],
    ],
  ],
  [
    "CA",
    "Canada",
    "North America",
    "english",
    "C",
    [0, 1100],
    3,
    [
      [
        [43, 50],
        [-80, -64],
      ],
      [
        [49, 55],
        [-123, -97],
      ],
    ],
    [
      [-120, "America/Vancouver"],
      [-110, "America/Edmonton"],
      [-90, "America/Winnipeg"],
      [-66, "America/Toronto"],
      [0, "America/Halifax"],
    ],
  ],
  [
    "CH",
    "Switzerland",
    "Europe",
    "germanic",
    "LS",
    [270, 1800],
    2,
    [
      [
        [46, 47.7],
        [6.1, 10.4],
      ],
    ],
    "Europe/Zurich",
  ],
  [
    "CL",
    "Chile",
    "South America",
    "spanish",
    "SC",
    [0, 2500],
    2,
    [
      [
        [-42, -18.5],
        [-73.5, -69.5],
      ],
    ],
    "America/Santiago",
  ],
  [
    "CN",
    "China",
    "Asia",
    "chinese",
    "Z",
    [0, 2200],
    9,
    [
      [
        [22, 41],
        [105, 122],
      ],
      [
        [25, 35],
        [100, 106],
      ],
    ],
    "Asia/Shanghai",
  ],
  [
    "CO",
    "Colombia",
    "South America",
    "spanish",
    "SK",
    [0, 2800],
    2,
    [
      [
        [1, 11],
        [-77, -72],
      ],
    ],
    "America/Bogota",
  ],
  [
    "CZ",
    "Czechia",
    "Europe",
    "czech",
    "LK",
    [150, 900],
    2,
    [
      [
        [48.6, 51],
        [12.2, 18.8],
      ],
    ],
    "Europe/Prague",
  ],
  [
    "DE",
    "Germany",
    "Europe",
    "germanic",
    "ED",
    [0, 900],
    6,
    [
      [
        [47.5, 54.8],
        [6, 15],
      ],
    ],
    "Europe/Berlin",
  ],
  [
    "DK",
    "Denmark",
    "Europe",
    "nordic",
    "EK",
    [0, 120],
    1,
    [
      [
        [54.8, 57.6],
        [8.2, 12.6],
      ],
    ],
    "Europe/Copenhagen",
  ],
  [
    "EG",
    "Egypt",
    "Africa",
    "arabic",
    "HE",
    [-10, 400],
    2,
    [
      [
        [29, 31.5],
        [29, 33],
      ],
      [
        [22, 29],
        [31, 33],
      ],
    ],
    "Africa/Cairo",
  ],
  [
    "ES",
    "Spain",
    "Europe",
    "spanish",
    "LE",
    [0, 1200],
    4,
    [
      [
        [36.2, 43.6],
        [-9, 3.2],
      ],
    ],
    "Europe/Madrid",
  ],
  [
    "FI",
    "Finland",
    "Europe",
    "finnic",
    "EF",
    [0, 300],
    1,
    [
      [
        [60, 66],
        [21, 30],
      ],
      [
        [66, 69.5],
        [23, 29],
      ],
    ],
    "Europe/Helsinki",
  ],
  [
    "FR",
    "France",
    "Europe",
    "french",
    "LF",
    [0, 1200],
    5,
    [
      [
        [43, 51],
        [-4.5, 7.5],
      ],
    ],
    "Europe/Paris",
  ],
  [
    "GB",
    "United Kingdom",
    "Europe",
    "english",
    "EG",
    [0, 400],
    4,
    [
      [
        [50.2, 53.5],
        [-5.5, 1.7],
      ],
      [
        [53.5, 58.5],
        [-5.5, -1.5],
      ],
    ],
    "Europe/London",
  ],
  [
    "GR",
    "Greece",
    "Europe",
    "greek",
    "LG",
    [0, 1100],
    2,
    [
      [
        [36.5, 41.5],
        [20.5, 26.5],
      ],
    ],
    "Europe/Athens",
  ],
  [
    "ID",
    "Indonesia",
    "Asia",
    "indonesian",
    "WI",
    [0, 1200],
    4,
    [
      [
        [-8.5, -6],
        [105, 115],
      ],
      [
        [-5, 5],
        [95, 106],
      ],
      [
        [-5, 1.5],
        [119, 125],
      ],
    ],
    [
      [115, "Asia/Jakarta"],
      [127, "Asia/Makassar"],
      [180, "Asia/Jayapura"],
    ],
  ],
  [
    "IE",
    "Ireland",
    "Europe",
    "english",
    "EI",
    [0, 300],
    1,
    [
      [
        [51.5, 55.3],
        [-10, -6],
      ],
    ],
    "Europe/Dublin",
  ],
  [
    "IN",
    "India",
    "Asia",
    "indic",
    "VI",
    [0, 1500],
    9,
    [
      [
        [8, 22],
        [73, 86],
      ],
      [
        [22, 30],
        [70, 88],
      ],
    ],
    "Asia/Kolkata",
  ],
  [
    "IS",
    "Iceland",
    "Europe",
    "nordic",
    "BI",
    [0, 400],
    0.5,
    [
      [
        [63.4, 66.4],
        [-24, -13.5],
      ],
    ],
    "Atlantic/Reykjavik",
  ],
  [
    "IT",
    "Italy",
    "Europe",
    "italian",
    "LI",
    [0, 1300],
    4,
    [
      [
        [43.5, 46.5],
        [7, 13.5],
      ],
      [
        [38, 43.5],
        [11, 17],
      ],
      [
        [36.8, 38.2],
        [12.5, 15.5],
      ],
    ],
    "Europe/Rome",
  ],
  [
    "JP",
    "Japan",
    "Asia",
    "japanese",
    "RJ",
    [0, 1000],
    5,
    [
      [
        [33, 36.5],
        [130.5, 140],
      ],
      [
        [36.5, 41],
        [138, 141.5],
      ],
      [
        [42, 45],
        [141, 145],
      ],
    ],
    "Asia/Tokyo",
  ],
  [
    "KE",
    "Kenya",
    "Africa",
    "swahili",
    "HK",
    [0, 2400],
    2,
    [
      [
        [-4.5, 4.5],
        [34, 41.5],
      ],
    ],
    "Africa/Nairobi",
  ],
  [
    "KR",
    "South Korea",
    "Asia",
    "korean",
    "RK",
    [0, 600],
    2,
    [
      [
        [34.8, 38.3],
        [126.5, 129.4],
      ],
    ],
    "Asia/Seoul",
  ],
  [
    "MA",
    "Morocco",
    "Africa",
    "arabic",
    "GM",
    [0, 1800],
    2,
    [
      [
        [29, 35.8],
        [-10, -1.5],
      ],
    ],
    "Africa/Casablanca",
  ],
  [
    "MX",
    "Mexico",
    "North America",
    "spanish",
    "MM",
    [0, 2400],
    4,
    [
      [
        [16, 23],
        [-105, -87],
      ],
      [
        [23, 31.5],
        [-115, -99],
      ],
    ],
    [
      [-114.5, "America/Tijuana"],
      [-106, "America/Hermosillo"],
      [0, "America/Mexico_City"],
    ],
  ],
  [
    "NG",
    "Nigeria",
    "Africa",
    "yoruba",
    "DN",
    [0, 1200],
    3,
    [
      [
        [4.5, 13.5],
        [3, 14],
      ],
    ],
    "Africa/Lagos",
  ],
  [
    "NL",
    "Netherlands",
    "Europe",
    "dutch",
    "EH",
    [-6, 60],
    2,
    [
      [
        [51, 53.5],
        [3.5, 7.1],
      ],
    ],
    "Europe/Amsterdam",
  ],
  [
    "NO",
    "Norway",
    "Europe",
    "nordic",
    "EN",
    [0, 900],
    1,
    [
      [
        [58, 63],
        [5, 11.5],
      ],
      [
        [63, 67],
        [9, 15],
      ],
      [
        [67, 70.5],
        [14, 30],
      ],
    ],
    "Europe/Oslo",
  ],
  [
    "NZ",
    "New Zealand",
    "Oceania",
    "english",
    "NZ",
    [0, 700],
    1,
    [
      [
        [-41.5, -35],
        [173, 178.5],
      ],
      [
        [-46.5, -41],
        [167, 174],
      ],
    ],
    "Pacific/Auckland",
  ],
  [
    "PE",
    "Peru",
    "South America",
    "spanish",
    "SP",
    [0, 3800],
    2,
    [
      [
        [-17.5, -3.5],
        [-81, -69],
      ],
    ],
    "America/Lima",
  ],
  [
    "PL",
    "Poland",
    "Europe",
    "polish",
    "EP",
    [0, 700],
    3,
    [
      [
        [49.2, 54.7],
        [14.2, 24],
      ],
    ],
    "Europe/Warsaw",
  ],
  [
    "PT",
    "Portugal",
    "Europe",
    "portuguese",
    "LP",
    [0, 900],
    2,
    [
      [
        [37, 42],
        [-9.4, -6.3],
      ],
    ],
    "Europe/Lisbon",
  ],
  [
    "SE",
    "Sweden",
    "Europe",
    "nordic",
    "ES",
    [0, 600],
    2,
    [
      [
        [55.4, 60],
        [11.2, 18.5],
      ],
      [
        [60, 68.5],
        [13, 23.5],
      ],
    ],
    "Europe/Stockholm",
  ],
  [
    "TR",
    "Turkey",
    "Asia",
    "turkish",
    "LT",
    [0, 1900],
    3,
    [
      [
        [36.2, 41.5],
        [26.5, 44.5],
      ],
    ],
    "Europe/Istanbul",
  ],
  [
    "US",
    "United States",
    "North America",
    "english",
    "K",
    [0, 2200],
    9,
    [
      [
        [33, 48.5],
        [-122.5, -71],
      ],
      [
        [26, 33],
        [-98, -80],
      ],
    ],
    [
      [-114, "America/Los_Angeles"],
      [-101, "America/Denver"],
      [-85, "America/Chicago"],
      [0, "America/New_York"],
    ],
  ],
  [
    "VN",
    "Vietnam",
    "Asia",
    "vietnamese",
    "VV",
    [0, 900],
    3,
    [
      [
        [9, 16],
        [104.5, 109],
      ],
      [
        [16, 23],
        [102.5, 108],
      ],
    ],
    "Asia/Ho_Chi_Minh",
  ],
  [
    "ZA",
    "South Africa",
    "Africa",
    "afrikaans",
    "FA",
    [0, 1700],
    2,
    [
      [
        [-34.5, -23],
        [17, 32],
      ],
    ],
    "Africa/Johannesburg",
  ],
].map(([code, name, continent, style, icao, elevation, weight, boxes, zones]) => ({
  code,
  name,
  continent,
  style: STYLES[style],
  icao,
  elevation,
  weight,
  boxes,
  zones,
}));
const COUNTRY = new Map(COUNTRIES.map((c) => [c.code, c]));

function timezoneAt(country, longitude) {
  if (typeof country.zones === "string") return country.zones;
  return country.zones.find(([east]) => longitude <= east)[1];
}

function pointIn(country) {
  const area = ([lat, lon]) => (lat[1] - lat[0]) * (lon[1] - lon[0]);
  const [lat, lon] = weighted(country.boxes, area);
  return {
    latitude: round(between(lat[0], lat[1]), 5),
    longitude: round(between(lon[0], lon[1]), 5),
  };
}

// A country's first-level regions lie in latitude bands, so that neighbours share a region.
function regionsOf(country, used) {
  const names = [];
  const count = 4 + Math.floor(random() * 6);
  while (names.length < count) {
    const name = baseName(country.style);
    if (!used.has(`region:${country.code}:${name}`)) {
      used.add(`region:${country.code}:${name}`);
      names.push(name);
    }
  }
  const south = Math.min(...country.boxes.map(([lat]) => lat[0]));
  const north = Math.max(...country.boxes.map(([lat]) => lat[1]));
  return (latitude) => {
    const band = Math.floor(((north - latitude) / (north - south)) * count);
    return names[Math.min(count - 1, Math.max(0, band))];
  };
}

function population() {
  // Pareto with alpha 0.7 above 1,000: most places are towns, a few dozen are cities of millions.
  const u = Math.max(random(), 1e-7);
  return Math.min(Math.round(1000 * u ** (-1 / 0.7)), 24_000_000);
}

// --- SQLite -----------------------------------------------------------------------------------

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

// --- cities.sqlite ----------------------------------------------------------------------------

const CITY_COUNT = 3000;

function buildCities(path) {
  const db = createDatabase(
    path,
    `CREATE TABLE cities(id INTEGER PRIMARY KEY, name TEXT NOT NULL, country_code TEXT NOT NULL,
       admin_region TEXT, latitude REAL NOT NULL, longitude REAL NOT NULL, population INTEGER NOT NULL,
       elevation_m INTEGER, timezone TEXT NOT NULL);
     CREATE INDEX cities_country_code ON cities(country_code);
     CREATE TABLE countries(code TEXT PRIMARY KEY, name TEXT NOT NULL, continent TEXT NOT NULL,
       capital_city_id INTEGER);`,
  );
  const used = new Set();
  const regionAt = new Map(COUNTRIES.map((c) => [c.code, regionsOf(c, used)]));
  const seen = new Map(COUNTRIES.map((c) => [c.code, 0]));
  const cities = [];
  for (let id = 1; id <= CITY_COUNT; id++) {
    const country = weighted(COUNTRIES, (c) => c.weight);
    const nth = seen.get(country.code) + 1;
    seen.set(country.code, nth);
    // Every other early city of a country with special names takes the next of them.
    const special = SPECIAL_NAMES[country.code]?.[nth / 2 - 1];
    let name = nth % 2 === 0 && special ? special : placeName(country.style);
    while (used.has(name)) name = placeName(country.style);
    used.add(name);
    const { latitude, longitude } = pointIn(country);
    const [low, high] = country.elevation;
    cities.push({
      id,
      name,
      code: country.code,
      region: chance(0.12) ? null : regionAt.get(country.code)(latitude),
      latitude,
      longitude,
      population: population(),
      elevation: chance(0.08) ? null : Math.round(low + (high - low) * random() ** 2.2),
      timezone: timezoneAt(country, longitude),
    });
  }
  for (const country of COUNTRIES) {
    if (seen.get(country.code) === 0) throw new Error(`no city generated in ${country.code}`);
  }
  // The capital is the most populous generated city of each country (lowest id on a tie).
  const capital = new Map();
  for (const city of cities) {
    const best = capital.get(city.code);
    if (!best || city.population > best.population) capital.set(city.code, city);
  }

  const insertCity = db.prepare("INSERT INTO cities VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const insertCountry = db.prepare("INSERT INTO countries VALUES (?, ?, ?, ?)");
  db.transaction(() => {
    for (const c of cities) {
      insertCity.run(
        c.id,
        c.name,
        c.code,
        c.region,
        c.latitude,
        c.longitude,
        c.population,
        c.elevation,
        c.timezone,
      );
    }
    for (const country of COUNTRIES) {
      insertCountry.run(
        country.code,
        country.name,
        country.continent,
        capital.get(country.code).id,
      );
    }
  })();
  finish(db);
  return cities;
}

// --- airports.sqlite --------------------------------------------------------------------------

const AIRPORT_COUNT = 1200;
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

// IATA codes echo the city's name where they can (Valmora: VAL, VMR, ...), else any free code.
function iataFor(name, taken) {
  const letters = name
    .normalize("NFD")
    .toUpperCase()
    .replace(/[^A-Z]/g, "");
  const candidates = [];
  if (letters.length >= 3) {
    candidates.push(letters.slice(0, 3));
    for (let i = 0; i < 8; i++) {
      const a = 1 + Math.floor(random() * (letters.length - 2));
      const b = a + 1 + Math.floor(random() * (letters.length - a - 1));
      candidates.push(letters[0] + letters[a] + letters[b]);
    }
  }
  for (const code of candidates) if (!taken.has(code)) return code;
  for (;;) {
    const code = pick(LETTERS) + pick(LETTERS) + pick(LETTERS);
    if (!taken.has(code)) return code;
  }
}

function buildAirports(path, cities) {
  const db = createDatabase(
    path,
    `CREATE TABLE airports(iata TEXT PRIMARY KEY, icao TEXT, name TEXT NOT NULL, city_id INTEGER,
       country_code TEXT NOT NULL, latitude REAL, longitude REAL, elevation_ft INTEGER) WITHOUT ROWID;
     CREATE TABLE runways(id INTEGER PRIMARY KEY, airport_iata TEXT NOT NULL REFERENCES airports(iata),
       length_m INTEGER NOT NULL, surface TEXT NOT NULL, heading_deg INTEGER NOT NULL);
     CREATE INDEX runways_airport_iata ON runways(airport_iata);`,
  );
  // The largest places have airports; sort is stable, so ties keep id order.
  const served = [...cities].sort((a, b) => b.population - a.population).slice(0, AIRPORT_COUNT);
  const taken = new Set();
  const airports = [];
  const runways = [];
  for (const city of served) {
    const iata = iataFor(city.name, taken);
    taken.add(iata);
    const kind =
      city.population >= 400_000
        ? "International"
        : city.population >= 40_000
          ? "Regional"
          : "Airfield";
    const prefix = COUNTRY.get(city.code).icao;
    airports.push({
      iata,
      icao: chance(0.04) ? null : prefix + iata.slice(prefix.length - 1),
      name: `${city.name} ${kind}`,
      cityId: city.id,
      code: city.code,
      latitude: chance(0.01) ? null : round(city.latitude + between(-0.12, 0.12), 4),
      longitude: null,
      elevationFt:
        city.elevation === null ? null : Math.round((city.elevation + between(-15, 40)) * 3.28084),
    });
    const airport = airports[airports.length - 1];
    airport.longitude =
      airport.latitude === null ? null : round(city.longitude + between(-0.12, 0.12), 4);
    const count =
      kind === "International"
        ? 2 + Math.floor(random() * 3)
        : kind === "Regional"
          ? 1 + (chance(0.6) ? 1 : 0)
          : 1 + (chance(0.55) ? 1 : 0);
    const mainHeading = 1 + Math.floor(random() * 18);
    for (let i = 0; i < count; i++) {
      // Second runways are parallel or crossing; headings are the lower end's designator x 10.
      const heading =
        i === 0 || chance(0.5)
          ? mainHeading
          : ((mainHeading + 5 + Math.floor(random() * 8)) % 18) + 1;
      const [shortest, longest] =
        kind === "International" ? [2400, 4200] : kind === "Regional" ? [1500, 3000] : [600, 1800];
      const surfaces =
        kind === "Airfield"
          ? ["asphalt", "asphalt", "grass", "gravel", "concrete"]
          : ["asphalt", "asphalt", "concrete"];
      runways.push({
        iata,
        length: Math.round(between(shortest, longest) / 10) * 10,
        surface: pick(surfaces),
        heading: heading * 10,
      });
    }
  }
  const insertAirport = db.prepare("INSERT INTO airports VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  const insertRunway = db.prepare("INSERT INTO runways VALUES (?, ?, ?, ?, ?)");
  db.transaction(() => {
    for (const a of airports) {
      insertAirport.run(
        a.iata,
        a.icao,
        a.name,
        a.cityId,
        a.code,
        a.latitude,
        a.longitude,
        a.elevationFt,
      );
    }
    runways.forEach((r, i) => insertRunway.run(i + 1, r.iata, r.length, r.surface, r.heading));
  })();
  finish(db);
}

// --- weather-normals.sqlite -------------------------------------------------------------------

const CITY_STATIONS = 238;
const REMOTE_STATIONS = 12;

function buildWeather(path, cities, used) {
  const db = createDatabase(
    path,
    `CREATE TABLE stations(station_id TEXT PRIMARY KEY, city_id INTEGER, name TEXT NOT NULL,
       latitude REAL NOT NULL, longitude REAL NOT NULL, opened_year INTEGER);
     CREATE TABLE monthly_normals(station_id TEXT NOT NULL, month INTEGER NOT NULL CHECK(month BETWEEN 1 AND 12),
       mean_temp_c REAL, precip_mm REAL, sunshine_h REAL, PRIMARY KEY(station_id, month));`,
  );
  const stations = [];
  for (let i = 0; i < CITY_STATIONS + REMOTE_STATIONS; i++) {
    // WMO-like five-digit numbers; 7919 is prime to 89,000, so they never repeat.
    const number = String(10000 + ((i * 7919) % 89000));
    if (i < CITY_STATIONS) {
      const city = cities[Math.floor((i * CITY_COUNT) / CITY_STATIONS)];
      stations.push({
        id: `${city.code}${number}`,
        cityId: city.id,
        name: `${city.name} ${pick(["Observatory", "Central", "Meteorological Station", "Agricultural Station"])}`,
        latitude: round(city.latitude + between(-0.05, 0.05), 4),
        longitude: round(city.longitude + between(-0.05, 0.05), 4),
        elevation: city.elevation ?? 0,
        code: city.code,
      });
    } else {
      // Stations far from any town: summits, passes, lighthouses.
      const country = pick(COUNTRIES);
      const { latitude, longitude } = pointIn(country);
      const kind = pick(["Summit", "Pass", "Lighthouse", "Plateau"]);
      let name = `${baseName(country.style)} ${kind}`;
      while (used.has(name)) name = `${baseName(country.style)} ${kind}`;
      used.add(name);
      stations.push({
        id: `${country.code}${number}`,
        cityId: null,
        name,
        latitude: round(latitude, 4),
        longitude: round(longitude, 4),
        elevation: kind === "Summit" || kind === "Pass" ? Math.round(between(1200, 3200)) : 10,
        code: country.code,
      });
    }
  }

  const insertStation = db.prepare("INSERT INTO stations VALUES (?, ?, ?, ?, ?, ?)");
  const insertNormal = db.prepare("INSERT INTO monthly_normals VALUES (?, ?, ?, ?, ?)");
  db.transaction(() => {
    for (const s of stations) {
      insertStation.run(
        s.id,
        s.cityId,
        s.name,
        s.latitude,
        s.longitude,
        chance(0.05) ? null : 1860 + Math.floor(random() * 156),
      );
      const lat = Math.abs(s.latitude);
      // Annual mean falls with latitude and height; the seasonal swing grows with latitude.
      const annual =
        27.5 - 0.42 * Math.max(0, lat - 12) - 0.0065 * s.elevation + between(-1.5, 1.5);
      const swing = 1 + 0.25 * Math.max(0, lat - 10) + between(-1, 1);
      const rainfall = between(250, 2400) / 12;
      // Positive: wet summers (monsoon, continental); negative: dry summers (Mediterranean).
      const wetSummer =
        lat < 30
          ? between(0.2, 0.9)
          : lat < 45 && chance(0.5)
            ? between(-0.8, -0.3)
            : between(-0.2, 0.4);
      const sunnyBase = between(110, 240) - 1.2 * Math.max(0, lat - 35);
      const hasSunshine = chance(0.88);
      for (let month = 1; month <= 12; month++) {
        // Seasons follow the hemisphere: July is warm in the north and cold in the south.
        const season = Math.cos(((month - 7.2) / 12) * 2 * Math.PI) * (s.latitude >= 0 ? 1 : -1);
        const temp = round(annual + swing * season + between(-0.4, 0.4), 1);
        const precip = round(
          Math.max(0, rainfall * (1 + wetSummer * season) * between(0.85, 1.15)),
          1,
        );
        const sunshine =
          hasSunshine && !chance(0.02)
            ? round(
                Math.max(15, sunnyBase * (1 + (0.6 * season * lat) / 60) * between(0.9, 1.1)),
                1,
              )
            : null;
        insertNormal.run(s.id, month, temp, precip, sunshine);
      }
    }
  })();
  finish(db);
}

// --- JSON documents ---------------------------------------------------------------------------

const json = (value) => `${JSON.stringify(value, null, 2)}\n`;

function query(path, sql, ...params) {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all(...params);
  } finally {
    db.close();
  }
}

const DATASETS = [
  {
    name: "cities",
    title: "Cities and countries",
    description:
      "Populated places with coordinates, population, elevation and time zone, and the countries they belong to.",
    tables: ["cities", "countries"],
  },
  {
    name: "airports",
    title: "Airports and runways",
    description: "Airports by IATA code with their ICAO code, city, position and runways.",
    tables: ["airports", "runways"],
  },
  {
    name: "weather-normals",
    title: "Monthly climate normals",
    description: "Mean temperature, precipitation and sunshine by month for weather stations.",
    tables: ["stations", "monthly_normals"],
  },
];

function build() {
  // The PostgreSQL dump is made by scripts/build-example-pgdump.mjs (it needs a server); its
  // bytes are kept across a rebuild of the rest.
  const dumpPath = join(OUT, GAZETTEER.path);
  const dump = existsSync(dumpPath) ? readFileSync(dumpPath) : null;
  rmSync(OUT, { recursive: true, force: true });
  for (const sub of ["datasets", "config", "summaries", "cache/tiles/0/0"]) {
    mkdirSync(join(OUT, sub), { recursive: true });
  }
  const file = (name) => join(OUT, "datasets", `${name}.sqlite`);
  const cities = buildCities(file("cities"));
  buildAirports(file("airports"), cities);
  buildWeather(file("weather-normals"), cities, new Set(cities.map((c) => c.name)));

  const rows = (dataset, table) => query(file(dataset), `SELECT count(*) AS n FROM ${table}`)[0].n;
  const write = (path, value) => writeFileSync(join(OUT, path), json(value));

  write("catalog.json", {
    schemaVersion: 1,
    datasets: DATASETS.map((d) => ({
      name: d.name,
      path: `datasets/${d.name}.sqlite`,
      title: d.title,
      description: d.description,
      tables: d.tables.map((table) => ({ name: table, rows: rows(d.name, table) })),
      license: "CC0-1.0",
    })).concat({
      name: GAZETTEER.name,
      path: GAZETTEER.path,
      format: "pg_dump",
      title: GAZETTEER.title,
      description: GAZETTEER.description,
      tables: GAZETTEER_TABLES,
      license: "CC0-1.0",
    }),
  });
  if (dump !== null) writeFileSync(dumpPath, dump);
  else console.log(`no ${GAZETTEER.path} yet: run node scripts/build-example-pgdump.mjs`);

  write("config/runtime.json", {
    schemaVersion: 1,
    service: "atlas-query",
    listen: { host: "127.0.0.1", port: 0 },
    catalog: "catalog.json",
    datasetsDir: "datasets",
    cache: { dir: "cache", maxEntries: 500 },
    limits: { maxRowsPerQuery: 1000, queryTimeoutMs: 2000 },
    features: { nearestCity: true, airportSearch: true },
  });

  // Everything in the summary is computed from the datasets, so it can be rebuilt from them.
  const [c, a, w] = DATASETS.map((d) => file(d.name));
  const one = (path, sql) => query(path, sql)[0];
  const cityStats = one(
    c,
    `SELECT sum(population) AS total, avg(population) AS mean, max(population) AS largest,
       count(*) - count(elevation_m) AS noElevation, count(*) - count(admin_region) AS noRegion,
       avg(elevation_m) AS meanElevation FROM cities`,
  );
  write("summaries/dataset-summary.json", {
    schemaVersion: 1,
    generatedFrom: "catalog.json",
    datasets: [
      {
        name: "cities",
        tables: [
          {
            name: "cities",
            rows: rows("cities", "cities"),
            aggregates: {
              totalPopulation: cityStats.total,
              meanPopulation: round2(cityStats.mean),
              largestPopulation: cityStats.largest,
              meanElevationM: round2(cityStats.meanElevation),
              withoutElevation: cityStats.noElevation,
              withoutAdminRegion: cityStats.noRegion,
              citiesByContinent: Object.fromEntries(
                query(
                  c,
                  `SELECT k.continent, count(*) AS n FROM cities JOIN countries k ON k.code = cities.country_code
                   GROUP BY k.continent ORDER BY k.continent`,
                ).map((r) => [r.continent, r.n]),
              ),
              populationByContinent: Object.fromEntries(
                query(
                  c,
                  `SELECT k.continent, sum(population) AS n FROM cities JOIN countries k ON k.code = cities.country_code
                   GROUP BY k.continent ORDER BY k.continent`,
                ).map((r) => [r.continent, r.n]),
              ),
            },
          },
          {
            name: "countries",
            rows: rows("cities", "countries"),
            aggregates: {
              countriesByContinent: Object.fromEntries(
                query(
                  c,
                  "SELECT continent, count(*) AS n FROM countries GROUP BY continent ORDER BY continent",
                ).map((r) => [r.continent, r.n]),
              ),
            },
          },
        ],
      },
      {
        name: "airports",
        tables: [
          {
            name: "airports",
            rows: rows("airports", "airports"),
            aggregates: {
              topCountries: query(
                a,
                "SELECT country_code AS countryCode, count(*) AS airports FROM airports GROUP BY country_code ORDER BY airports DESC, country_code LIMIT 10",
              ),
              withoutIcao: one(a, "SELECT count(*) - count(icao) AS n FROM airports").n,
            },
          },
          {
            name: "runways",
            rows: rows("airports", "runways"),
            aggregates: {
              meanLengthM: round2(one(a, "SELECT avg(length_m) AS m FROM runways").m),
              bySurface: Object.fromEntries(
                query(
                  a,
                  "SELECT surface, count(*) AS n FROM runways GROUP BY surface ORDER BY surface",
                ).map((r) => [r.surface, r.n]),
              ),
            },
          },
        ],
      },
      {
        name: "weather-normals",
        tables: [
          {
            name: "stations",
            rows: rows("weather-normals", "stations"),
            aggregates: {
              byHemisphere: Object.fromEntries(
                query(
                  w,
                  `SELECT CASE WHEN latitude >= 0 THEN 'northern' ELSE 'southern' END AS h, count(*) AS n
                   FROM stations GROUP BY h ORDER BY h`,
                ).map((r) => [r.h, r.n]),
              ),
              withoutCity: one(w, "SELECT count(*) - count(city_id) AS n FROM stations").n,
            },
          },
          {
            name: "monthly_normals",
            rows: rows("weather-normals", "monthly_normals"),
            aggregates: {
              meanAnnualTempCByHemisphere: Object.fromEntries(
                query(
                  w,
                  `SELECT CASE WHEN s.latitude >= 0 THEN 'northern' ELSE 'southern' END AS h, avg(m.mean_temp_c) AS t
                   FROM monthly_normals m JOIN stations s USING (station_id) GROUP BY h ORDER BY h`,
                ).map((r) => [r.h, round2(r.t)]),
              ),
              meanAnnualPrecipMm: round2(
                one(
                  w,
                  "SELECT sum(precip_mm) / count(DISTINCT station_id) AS p FROM monthly_normals",
                ).p,
              ),
              missingSunshine: one(
                w,
                "SELECT count(*) - count(sunshine_h) AS n FROM monthly_normals",
              ).n,
            },
          },
        ],
      },
    ],
  });

  // The cache holds the answers of a few queries, keyed by the query; it may be thrown away.
  const norway = query(
    c,
    "SELECT id, name, population FROM cities WHERE country_code = 'NO' ORDER BY population DESC LIMIT 3",
  );
  const firstAirport = one(
    a,
    "SELECT iata, icao, name, country_code AS countryCode FROM airports ORDER BY iata LIMIT 1",
  );
  const station = one(w, "SELECT station_id AS id FROM stations ORDER BY station_id LIMIT 1").id;
  const japan = one(
    c,
    "SELECT code, name, continent, capital_city_id AS capitalCityId FROM countries WHERE code = 'JP'",
  );
  write("cache/query-cache.json", {
    schemaVersion: 1,
    entries: {
      "GET /cities?country=NO&orderBy=population&limit=3": {
        storedAt: "2026-11-01T00:00:00Z",
        rows: norway,
      },
      [`GET /airports/${firstAirport.iata}`]: {
        storedAt: "2026-11-01T00:00:05Z",
        rows: [firstAirport],
      },
      [`GET /normals?station=${station}&month=7`]: {
        storedAt: "2026-11-01T00:01:12Z",
        rows: query(
          w,
          "SELECT month, mean_temp_c AS meanTempC, precip_mm AS precipMm, sunshine_h AS sunshineH FROM monthly_normals WHERE station_id = ? AND month = 7",
          station,
        ),
      },
      "GET /countries/JP": {
        storedAt: "2026-11-01T00:02:30Z",
        rows: [japan],
      },
    },
  });

  write("cache/tiles/0/0/0.json", {
    type: "FeatureCollection",
    tile: { z: 0, x: 0, y: 0 },
    features: query(
      c,
      "SELECT id, name, longitude, latitude, population FROM cities ORDER BY population DESC, id LIMIT 8",
    ).map((r) => ({
      type: "Feature",
      id: r.id,
      geometry: { type: "Point", coordinates: [r.longitude, r.latitude] },
      properties: { name: r.name, population: r.population },
    })),
  });

  // Nothing but the intended files: no -journal, -wal or -shm left behind.
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(relative(OUT, path));
    }
  };
  walk(OUT);
  const stray = files.filter((f) => /-(journal|wal|shm)$/.test(f));
  if (stray.length > 0) throw new Error(`unexpected files left behind: ${stray.join(", ")}`);
  console.log(`built ${OUT}: ${files.length} files`);
}

build();
