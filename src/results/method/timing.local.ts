/**
 * A quick local timing of the method at national size (not a test, not the bench): 130
 * trusts, 65,000 respondents, 60 evaluative questions, every score with case-mix adjustment.
 *   npx swc src/results/method -d /tmp/method-timing --config-file .swcrc -q
 *   node /tmp/method-timing/src/results/method/timing.local.js
 */
import {
  AGE_BANDS, breakdown, ETHNIC_GROUPS, IMD_QUINTILES, leagueTable, prepareRespondents, questionScores, respondentsPerTrust, SEX_GROUPS,
  trend, TUMOUR_GROUPS, type EvaluativeQuestion, type Respondent,
} from './index';

// mulberry32: a small seeded generator, so every run times the same survey.
let seed = 42;
const random = () => {
  let t = (seed = (seed + 0x6d2b79f5) | 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[], weights?: number[]): T => {
  if (!weights) return xs[Math.floor(random() * xs.length)];
  let u = random() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < xs.length; i++) if ((u -= weights[i]) < 0) return xs[i];
  return xs[xs.length - 1];
};

const QUESTIONS: EvaluativeQuestion[] = Array.from({ length: 60 }, (_, k) => ({
  id: `q${k + 1}`, number: k + 1, reportKey: `key_${k + 1}`, type: k % 10 === 9 ? 'multiple' : 'single',
  options: [
    { value: '1', label: 'Yes, definitely', score: 'positive' },
    { value: '2', label: 'Yes, to some extent', score: 'other' },
    { value: '3', label: 'No', score: 'other' },
    { value: '4', label: "Don't know", score: 'excluded' },
  ],
}));

function survey(trustShift: number): Respondent[] {
  const trustEffect = Array.from({ length: 130 }, () => (random() - 0.5) * trustShift);
  return Array.from({ length: 65_000 }, (_, i) => {
    const t = Math.floor(random() * 130);
    const age = pick(AGE_BANDS, [1, 2, 4, 9, 17, 28, 27, 12]);
    const tumour = pick(TUMOUR_GROUPS, [2, 20, 12, 7, 15, 6, 7, 12, 1, 4, 6, 6, 2]);
    const r: Respondent = {
      id: `r${i}`, trust: `R${String(t).padStart(3, '0')}`, icb: `Q${t % 42}`, alliance: `A${t % 21}`,
      ageBand: age, sex: pick(SEX_GROUPS, [48, 51, 1]), ethnicGroup: pick(ETHNIC_GROUPS, [88, 1, 4, 2, 1, 4]),
      imdQuintile: pick(IMD_QUINTILES, [17, 19, 21, 21, 21, 1]), tumourGroup: tumour,
      secondaryBreastCancer: tumour === 'Breast' && random() < 0.1, answers: {},
    };
    const lean = trustEffect[t] + (AGE_BANDS.indexOf(age) - 4) * 0.05;
    for (const q of QUESTIONS) {
      if (random() < 0.1) continue;
      const u = random() + lean;
      const v = u > 0.35 ? '1' : u > 0.2 ? '2' : u > 0.1 ? '3' : '4';
      r.answers[q.id] = q.type === 'multiple' ? [v] : v;
    }
    return r;
  });
}

const previous = survey(0.3);
const current = survey(0.4);
const heap = () => `${Math.round(process.memoryUsage().heapUsed / 1e6)} MB heap`;
console.log(`generated: ${heap()}`);

let t0 = performance.now();
const prepared = prepareRespondents(current);
const scores = QUESTIONS.map((q) => questionScores(q, prepared));
const tScores = performance.now() - t0;
if (process.env.DEBUG_FIT) console.log(scores[0].model);
const iterations = scores.map((s) => s.model?.iterations ?? 0);
console.log(`scores with case-mix, ${QUESTIONS.length} questions × ${scores[0].trusts.length} trusts × ${current.length} respondents: ${(tScores / 1000).toFixed(2)} s (${heap()}); IRLS iterations ${Math.min(...iterations)}–${Math.max(...iterations)}, all converged: ${scores.every((s) => s.model?.converged)}; columns ${scores[0].model?.columns.length}`);

t0 = performance.now();
const preparedBefore = prepareRespondents(previous);
const before = QUESTIONS.map((q) => questionScores(q, preparedBefore));
const trends = trend(scores, before);
const league = leagueTable(scores, respondentsPerTrust(current), trends);
console.log(`previous survey scores + trend + league: ${((performance.now() - t0) / 1000).toFixed(2)} s; top trust ${league.trusts[0].trust}`);

t0 = performance.now();
breakdown('tumour_group', QUESTIONS, current, undefined, 'R007');
console.log(`one trust's tumour-group breakdown: ${(performance.now() - t0).toFixed(0)} ms`);
t0 = performance.now();
breakdown('age_band', QUESTIONS, current);
console.log(`national age-band breakdown: ${(performance.now() - t0).toFixed(0)} ms`);
