// The widgets' maths in plain JavaScript, so that they recompute in a browser with no Python kernel.
// It mirrors utils/attention.py, utils/database.py, utils.plotting.convex_hull and utils/widgets/challenges.py;
// tests/test_widget_math_js.py runs this file in Node and compares it with torch. Vectors are arrays of numbers,
// matrices arrays of rows. A score of -Infinity means "weight 0"; a row with no finite score gets all-zero weights.
// The lists of choices (scorings, kernels, modes) come from Python in each widget's `choices` trait.

function dot(a, b) {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i] * b[i];
  return total;
}

function matmul(a, b) {
  // (n, m) @ (m, p) -> (n, p)
  return a.map((row) => b[0].map((_, j) => dot(row, b.map((bRow) => bRow[j]))));
}

function dotProductScores(queries, keys) {
  // (nq, d), (nk, d) -> (nq, nk): q·k
  return queries.map((q) => keys.map((k) => dot(q, k)));
}

function scaledDotProductScores(queries, keys) {
  // q·k / sqrt(d)
  const scale = Math.sqrt(queries[0].length);
  return dotProductScores(queries, keys).map((row) => row.map((s) => s / scale));
}

// log K as a function of u² = |q - k|² / h² (utils.attention's kernels): the kernel scorings
const LOG_KERNELS = {
  gaussian: (u2) => -u2 / 2,
  boxcar: (u2) => (u2 <= 1 ? 0 : -Infinity),
  epanechnikov: (u2) => Math.log(Math.max(1 - u2, 0)), // log 0 = -Infinity
};

function kernelScores(queries, keys, kernel, bandwidth) {
  // (nq, d), (nk, d) -> (nq, nk): log K(|q - k| / h)
  const logKernel = LOG_KERNELS[kernel];
  return queries.map((q) =>
    keys.map((k) => {
      let squared = 0;
      for (let i = 0; i < q.length; i++) squared += (q[i] - k[i]) ** 2;
      return logKernel(squared / bandwidth ** 2);
    }),
  );
}

function attentionScores(queries, keys, scoring, bandwidth = 1) {
  // (nq, d), (nk, d) -> (nq, nk)
  if (scoring === "dot") return dotProductScores(queries, keys);
  if (scoring === "scaled_dot") return scaledDotProductScores(queries, keys);
  if (Object.hasOwn(LOG_KERNELS, scoring)) return kernelScores(queries, keys, scoring, bandwidth);
  const names = ["dot", "scaled_dot", ...Object.keys(LOG_KERNELS)];
  throw new Error(`scoring must be one of ${names.join(", ")}; got ${scoring}`);
}

function softmax(scores, temperature = 1, mask = null) {
  // one row: exp((s - max) / T) / Σ over the kept keys; masked keys (mask[i] false) and -inf scores get 0
  if (!(temperature > 0 && temperature < Infinity)) {
    throw new Error(`temperature must be a positive finite number, got ${temperature}`);
  }
  const keep = scores.map((s, i) => s > -Infinity && (mask === null || Boolean(mask[i])));
  let rowMax = -Infinity;
  scores.forEach((s, i) => {
    if (keep[i] && s > rowMax) rowMax = s;
  });
  if (!Number.isFinite(rowMax)) rowMax = 0; // a fully masked row
  const exps = scores.map((s, i) => (keep[i] ? Math.exp((s - rowMax) / temperature) : 0));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => (total > 0 ? e / total : 0));
}

const TIE_TOLERANCE = 1e-9; // scores this close to the maximum count as tied in "argmax" mode

function limitWeights(scores, mode) {
  // utils.attention.pool_weights's limits of softmax: "argmax" (T -> 0) shares the weight equally among the keys
  // whose score is within TIE_TOLERANCE of the maximum; "uniform" (T -> ∞) among every key with a finite score
  const rowMax = Math.max(...scores);
  const keep = scores.map((s) => s > -Infinity && (mode === "uniform" || s >= rowMax - TIE_TOLERANCE));
  return softmax(scores.map(() => 0), 1, keep);
}

function attentionPool(queries, keys, values, scoring, temperature = 1, bandwidth = 1, mode = "softmax") {
  // (nq, d), (nk, d), (nk, dv) -> {scores (nq, nk), weights (nq, nk), output (nq, dv)}
  const scores = attentionScores(queries, keys, scoring, bandwidth);
  const weights = scores.map((row) => (mode === "softmax" ? softmax(row, temperature) : limitWeights(row, mode)));
  return { scores, weights, output: matmul(weights, values) };
}

function nadarayaWatson(queries, keys, values, kernel, bandwidth) {
  // 1-D: queries (m), keys (n), values (n) -> {predictions (m), weights (m, n)}; 0 where no key is in the support
  const column = (xs) => xs.map((x) => [x]);
  const { weights, output } = attentionPool(column(queries), column(keys), column(values), kernel, 1, bandwidth);
  return { predictions: output.map((row) => row[0]), weights };
}

function multiHeadAttention(queries, keys, values, Wq, Wk, Wv, Wo, numHeads) {
  // X @ W projections split into numHeads heads of scaled dot-product attention, concatenated, then @ Wo.
  // -> {output (nq, d_out), weights (numHeads, nq, nk)}
  const [q, k, v] = [matmul(queries, Wq), matmul(keys, Wk), matmul(values, Wv)];
  const split = (x, h) => x.map((row) => row.slice((h * row.length) / numHeads, ((h + 1) * row.length) / numHeads));
  const weights = [];
  const heads = [];
  for (let h = 0; h < numHeads; h++) {
    const pooled = attentionPool(split(q, h), split(k, h), split(v, h), "scaled_dot");
    weights.push(pooled.weights);
    heads.push(pooled.output);
  }
  const concat = heads[0].map((_, i) => heads.flatMap((head) => head[i]));
  return { output: matmul(concat, Wo), weights };
}

// --- the convex hull (utils.plotting.convex_hull) ---

function convexHull(points) {
  // Andrew's monotone chain over the distinct points: counter-clockwise from the lowest-left one, no collinear vertex
  const turnsLeft = (o, a, b) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]) > 0;
  const distinct = new Map(points.map((p) => [`${p[0]},${p[1]}`, p]));
  const ordered = [...distinct.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (ordered.length <= 2) return ordered;
  // the lower chain left to right, then the upper chain right to left
  const chains = [ordered, [...ordered].reverse()].map((sweep) => {
    const chain = [];
    for (const p of sweep) {
      while (chain.length >= 2 && !turnsLeft(chain[chain.length - 2], chain[chain.length - 1], p)) chain.pop();
      chain.push(p);
    }
    return chain.slice(0, -1);
  });
  return [...chains[0], ...chains[1]];
}

// --- the toy database (utils/database.py) ---

const BIGRAM_START = "\u0002";
const BIGRAM_END = "\u0003";

function bigrams(text) {
  // Map "a\u0000b" -> count for the bigrams of the ASCII-lower-cased code points framed by start and end marks
  const chars = [BIGRAM_START, ...Array.from(text.replace(/[A-Z]/g, (c) => c.toLowerCase())), BIGRAM_END];
  const counts = new Map();
  for (let i = 0; i + 1 < chars.length; i++) {
    const pair = `${chars[i]}\u0000${chars[i + 1]}`;
    counts.set(pair, (counts.get(pair) || 0) + 1);
  }
  return counts;
}

function similarity(a, b) {
  // Dice coefficient of the character bigrams, 2 |A ∩ B| / (|A| + |B|)
  const [bigramsA, bigramsB] = [bigrams(a), bigrams(b)];
  let shared = 0;
  bigramsA.forEach((count, pair) => {
    shared += Math.min(count, bigramsB.get(pair) || 0);
  });
  const size = (counts) => [...counts.values()].reduce((x, y) => x + y, 0);
  return (2 * shared) / (size(bigramsA) + size(bigramsB));
}

function lookupWeights(records, query, mode, temperature) {
  // records [[key, value], ...] -> {scores, weights, result}: the similarities, the weight on each record, and
  // the value returned (exact / approximate) or null; mirrors utils.database.lookup_weights
  const scores = records.map(([key]) => similarity(query, key));
  let chosen = -1;
  if (mode === "exact") chosen = records.findIndex(([key]) => key === query);
  if (mode === "approximate") {
    const best = scores.indexOf(Math.max(...scores)); // the first maximum
    chosen = scores[best] > 0 ? best : -1;
  }
  if (mode === "soft") return { scores, weights: softmax(scores, temperature), result: null };
  const weights = scores.map((_, i) => (i === chosen ? 1 : 0));
  return { scores, weights, result: chosen >= 0 ? records[chosen][1] : null };
}

// --- the widgets' challenges (utils/widgets/challenges.py) ---
// Each takes the widget's state (its traits, by their Python names) and tells whether its goal is reached now.

const GOAL_WEIGHT = 0.9; // "more than 0.9 of the weight"
const GOAL_KEY = 2; // QueryExplorer: k3 (shown 1-based)
const GOAL_QUERY = 1; // HeatmapExplorer: the query whose weight is split
const SMALLEST_RATIO = 1.1; // KernelRegressionExplorer: "smallest" = a gap at bandwidth / SMALLEST_RATIO
const TIE = 1e-9; // weights this close count as equal

function noGap(weights) {
  // every test point (row) has some weight: the fit has an estimate everywhere
  return weights.every((row) => row.some((w) => w > 0));
}

const CHALLENGES = {
  DatabaseExplorer({ records, text, mode, temperature }) {
    // a last name in no record (no similarity 1) gets more than GOAL_WEIGHT on one first name, softly
    const { scores, weights } = lookupWeights(records, text, mode, temperature);
    return mode === "soft" && Math.max(...scores) < 1 && Math.max(...weights) > GOAL_WEIGHT;
  },
  QueryExplorer({ query, key_points: keyPoints, values, scoring, temperature, bandwidth, mode }) {
    // key GOAL_KEY takes more than GOAL_WEIGHT of the softmax weight, with the temperature not below 1
    const weights = attentionPool([query], keyPoints, values, scoring, temperature, bandwidth, mode).weights[0];
    return mode === "softmax" && temperature >= 1 && weights.length > GOAL_KEY && weights[GOAL_KEY] > GOAL_WEIGHT;
  },
  HeatmapExplorer({ queries, key_points: keyPoints, scoring, temperature, bandwidth }) {
    // query GOAL_QUERY gives exactly half of its weight to each of two keys
    if (queries.length <= GOAL_QUERY) return false;
    const row = softmax(attentionScores([queries[GOAL_QUERY]], keyPoints, scoring, bandwidth)[0], temperature);
    return row.filter((w) => Math.abs(w - 0.5) < TIE).length === 2;
  },
  KernelRegressionExplorer({ x_grid: xGrid, x_train: xTrain, y_train: yTrain, kernel, bandwidth }) {
    // the fit on the grid has no gap at this bandwidth, but has one at bandwidth / SMALLEST_RATIO
    const at = (h) => nadarayaWatson(xGrid, xTrain, yTrain, kernel, h).weights;
    return noGap(at(bandwidth)) && !noGap(at(bandwidth / SMALLEST_RATIO));
  },
  ProjectionExplorer({ matrix, token, trained, parameters, sequence }) {
    // matrix: this head's weights (n, n), as the view computed them. Toy sentence: the query token's weights equal
    // another token's. Trained model: with the trained parameters the query (last position) asks for the key of the
    // row just before it, and this head puts more than GOAL_WEIGHT of the query's weight on that row
    if (!trained) return matrix.filter((row) => row.every((w, j) => Math.abs(w - matrix[token][j]) < TIE)).length > 1;
    const last = sequence.length - 1;
    return parameters === "trained" && last >= 1 && token === last && sequence[last][0] === sequence[last - 1][0] &&
      matrix[last][last - 1] > GOAL_WEIGHT;
  },
};

if (typeof module !== "undefined") {
  module.exports = {
    CHALLENGES,
    GOAL_KEY,
    GOAL_QUERY,
    GOAL_WEIGHT,
    SMALLEST_RATIO,
    TIE,
    LOG_KERNELS,
    TIE_TOLERANCE,
    attentionPool,
    attentionScores,
    bigrams,
    convexHull,
    dot,
    dotProductScores,
    kernelScores,
    limitWeights,
    lookupWeights,
    matmul,
    multiHeadAttention,
    nadarayaWatson,
    scaledDotProductScores,
    similarity,
    softmax,
  };
}
