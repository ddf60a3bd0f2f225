/**
 * Service search as people type it (pure: no database). A query is normalised (NFKC, lower case,
 * traditional characters to simplified), question words are dropped, and what is left becomes
 * units: each run of Chinese characters its character pairs (bigrams), each other word its stem.
 * A service matches when at least two thirds of the units occur in its names and keywords, or all
 * of them in its guidance; names and keywords first, then the share matched. No database extension is needed, so PGlite and
 * PostgreSQL behave alike (docs/adr/0069-service-search-matching.md).
 */

/** Traditional characters (Hong Kong, Macao, Taiwan) and their simplified forms, pair by pair:
 * those of the catalogue's names and keywords and of common questions about services. */
const TRADITIONAL = '記兒戶報醫學證設劃規許發機動車駕駛換滿會難險領暫積個體營業執辦開經務門號碼稅費區縣國護於與問麼嗎這裡裏當時對關點書補續網線請應樣為給還過後總圖畫齡養歲產媽寶嬰親遷離結團鄉鎮農貸資詢預約簽貼殘職員說認準備額價錢傳況狀態電話廳處傷療衛藥獎導園蓋築違臨場廠災幫們讓進濟貧購買賣輛臺灣東華陸驗確級絡專單據聯繫係檢測質兩齊習標';
const SIMPLIFIED = '记儿户报医学证设划规许发机动车驾驶换满会难险领暂积个体营业执办开经务门号码税费区县国护于与问么吗这里里当时对关点书补续网线请应样为给还过后总图画龄养岁产妈宝婴亲迁离结团乡镇农贷资询预约签贴残职员说认准备额价钱传况状态电话厅处伤疗卫药奖导园盖筑违临场厂灾帮们让进济贫购买卖辆台湾东华陆验确级络专单据联系系检测质两齐习标';
const T2S = new Map([...TRADITIONAL].map((c, i) => [c, [...SIMPLIFIED][i]!]));

/** NFKC (full-width letters and digits, compatibility forms), lower case, simplified characters. */
export function normalizeSearchText(text: string): string {
  let out = '';
  for (const c of text.normalize('NFKC').toLowerCase()) out += T2S.get(c) ?? c;
  return out;
}

/** Words that say how someone asks, not what they ask for; dropped from a query, longest first. */
const CJK_STOP = ['怎么办理', '如何办理', '怎样办理', '在哪里办', '我要办', '我想办', '怎么办', '怎么样', '在哪里', '去哪里', '哪里办',
  '能不能', '可不可以', '怎么', '如何', '怎样', '办理', '我要', '我想', '想要', '需要', '申请', '申领', '请问', '一下', '什么', '哪里', '在哪',
  '去哪', '手续', '流程', '材料', '条件', '网上', '在线', '可以', '要办', '想办', '的', '吗', '呢', '了', '啊', '呀', '吧']
  .sort((a, b) => b.length - a.length);
const WORD_STOP = new Set(['a', 'an', 'the', 'i', 'me', 'my', 'we', 'our', 'to', 'of', 'for', 'in', 'on', 'at', 'and', 'or', 'is', 'are',
  'do', 'does', 'can', 'how', 'what', 'where', 'when', 'want', 'need', 'get', 'please', 'online', 'apply', 'application']);
/** British spelling, the catalogue's: an American one is read as the British. */
const SPELLING = new Map([['license', 'licence'], ['licenses', 'licences'], ['center', 'centre'], ['centers', 'centres'],
  ['organization', 'organisation'], ['authorization', 'authorisation'], ['program', 'programme']]);

/** Simple plurals to the singular; enough for names and keywords, not a general stemmer. */
export function stem(word: string): string {
  const w = SPELLING.get(word) ?? word;
  if (w.length < 4 || /(ss|us|is)$/.test(w)) return w;
  if (w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (/(ches|shes|xes|sses)$/.test(w)) return w.slice(0, -2);
  return w.endsWith('s') ? w.slice(0, -1) : w;
}

const TOKENS = /(\p{Script=Han}+)|((?:(?!\p{Script=Han})[\p{L}\p{N}])+)/gu;

type Unit = { kind: 'han'; text: string } | { kind: 'word'; text: string; stem: string };

/** What a query asks for; no units when it holds nothing searchable (only punctuation). */
export function parseQuery(text: string): { whole: string; units: Unit[] } {
  const whole = normalizeSearchText(text.trim().slice(0, 100)).replace(/\s+/g, ' ');
  const units = unitsOf(whole, true);
  return { whole, units: (units.length > 0 ? units : unitsOf(whole, false)).slice(0, 24) };
}

function unitsOf(text: string, dropQuestionWords: boolean): Unit[] {
  const units = new Map<string, Unit>();
  for (const [, han, word] of text.matchAll(TOKENS)) {
    if (han) {
      for (const part of dropQuestionWords ? splitOnStopWords(han) : [han]) {
        if (part.length === 1) units.set(part, { kind: 'han', text: part });
        for (let i = 0; i + 1 < part.length; i++) units.set(part.slice(i, i + 2), { kind: 'han', text: part.slice(i, i + 2) });
      }
    } else if (word && !(dropQuestionWords && WORD_STOP.has(word))) {
      units.set(`w:${word}`, { kind: 'word', text: word, stem: stem(word) });
    }
  }
  return [...units.values()];
}

function splitOnStopWords(run: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < run.length;) {
    const stop = CJK_STOP.find((s) => run.startsWith(s, i));
    if (stop) {
      if (current) parts.push(current);
      current = '';
      i += stop.length;
    } else {
      current += run[i];
      i += 1;
    }
  }
  if (current) parts.push(current);
  return parts;
}

/** A service's searchable text, normalised once per published version. */
export interface SearchIndex { readonly name: string; readonly text: string; readonly nameWords: ReadonlySet<string>; readonly words: ReadonlySet<string> }

const wordsOf = (text: string) => new Set([...text.matchAll(TOKENS)].flatMap(([, , word]) => (word ? [stem(word)] : [])));

/** `name` holds the names and keywords in both languages; `text` those and the guidance. */
export function indexOf(name: string, text: string): SearchIndex {
  const n = normalizeSearchText(name);
  const t = normalizeSearchText(text);
  return { name: n, text: t, nameWords: wordsOf(n), words: wordsOf(t) };
}

/** Optimal string alignment distance (a swap of two letters counts one), stopping past `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** A word matches as a substring (as search always did), by its stem, or with one slip (two in a long word). */
function wordIn(unit: Extract<Unit, { kind: 'word' }>, text: string, words: ReadonlySet<string>): boolean {
  if (text.includes(unit.text) || words.has(unit.stem)) return true;
  if (unit.stem.length < 5) return false;
  const max = unit.stem.length >= 8 ? 2 : 1;
  for (const w of words) if (w[0] === unit.stem[0] && distance(unit.stem, w, max) <= max) return true;
  return false;
}

const hit = (u: Unit, text: string, words: ReadonlySet<string>) => (u.kind === 'han' ? text.includes(u.text) : wordIn(u, text, words));

/**
 * How well a service matches, or undefined: at least two thirds of the units in its names and
 * keywords (written to be searched, so a joining pair or an extra word may miss), or every unit
 * somewhere in its text (guidance mentions much in passing: a part of the query is not enough).
 */
export function scoreOf(query: ReturnType<typeof parseQuery>, index: SearchIndex): { wholeName: boolean; nameShare: number; share: number } | undefined {
  const total = query.units.length;
  if (total === 0) return undefined;
  const inName = query.units.filter((u) => hit(u, index.name, index.nameWords)).length;
  const matched = query.units.filter((u) => hit(u, index.text, index.words)).length;
  if (inName < Math.ceil((total * 2) / 3) && matched < total) return undefined;
  return { wholeName: index.name.includes(query.whole), nameShare: inName / total, share: matched / total };
}

/** Best first: the whole query in the name, then the share of it in the name, then overall. */
export function compareScores(a: NonNullable<ReturnType<typeof scoreOf>>, b: NonNullable<ReturnType<typeof scoreOf>>): number {
  return Number(b.wholeName) - Number(a.wholeName) || b.nameShare - a.nameShare || b.share - a.share;
}
