import { DomainError } from '../infra/errors/domain-error';

/** A query on whatever connection the caller's transaction is on (a PoolClient or an EntityManager). */
export type RunSql = (sql: string, params?: unknown[]) => Promise<any[]>;

/**
 * Taken shared by sample imports and exclusively by the area import, so a sample is never
 * derived from a lookup being replaced, and a new lookup never misses a sample being imported.
 */
export const AREA_LOOKUP_LOCK = 'area-lookup';

export interface DerivedCounts {
  survey: string;
  /** Patients whose variables were (re)derived: every patient not yet purged. */
  patients: number;
  /** Of those, with an IMD quintile (their postcode is in the lookup), an ICB and a Cancer Alliance. */
  imdKnown: number;
  icbKnown: number;
  allianceKnown: number;
  /** Of those, given their trust's ICB because the sample gave no sub_icb_code. */
  icbFromTrust: number;
}

export type DeriveScope = { surveyId: string } | { sampleFileId: string } | 'all';

export async function lookupExists(sql: RunSql): Promise<boolean> {
  const [{ exists }] = await sql('SELECT EXISTS (SELECT 1 FROM area_lookup_imports) AS exists');
  return exists;
}

/**
 * Works out, set-based, each unpurged patient's anonymous grouping variables from what still
 * identifies where they live: the IMD quintile from the postcode (decile 1–2 → 1 … 9–10 → 5,
 * NULL when the postcode is not in the lookup), the ICB and Cancer Alliance from the sample's
 * sub_icb_code through the lookup (the trust's own ICB only when the sample gave none), and the
 * age at discharge. The purge keeps all of them.
 */
export async function deriveGroupingVariables(sql: RunSql, scope: DeriveScope): Promise<DerivedCounts[]> {
  const [where, params] = scope === 'all' ? ['true', []]
    : 'surveyId' in scope ? ['p.survey_id = $1', [scope.surveyId]] : ['p.sample_file_id = $1', [scope.sampleFileId]];
  const rows = await sql(`
    WITH d AS (
      SELECT p.id, (a.imd_decile + 1) / 2 AS imd_quintile, p.sub_icb_code IS NULL AS from_trust,
        CASE WHEN p.sub_icb_code IS NULL THEN t.icb_code ELSE s.icb_code END AS icb_code
      FROM patients p
      JOIN trusts t ON t.code = p.trust_code
      LEFT JOIN area_postcodes a ON a.postcode = replace(p.postcode, ' ', '')
      LEFT JOIN area_sub_icbs s ON s.code = p.sub_icb_code
      WHERE p.purged_at IS NULL AND ${where}
    ), u AS (
      UPDATE patients p SET imd_quintile = d.imd_quintile, icb_code = d.icb_code, cancer_alliance_code = i.cancer_alliance_code,
        age_at_discharge = extract(year FROM age(p.discharge_date, p.date_of_birth))::int, groups_derived_at = now()
      FROM d LEFT JOIN area_icbs i ON i.code = d.icb_code
      WHERE p.id = d.id
      RETURNING p.survey_id, p.imd_quintile, p.icb_code, p.cancer_alliance_code, d.from_trust
    )
    SELECT s.code AS survey, count(*)::int AS patients, count(u.imd_quintile)::int AS "imdKnown", count(u.icb_code)::int AS "icbKnown",
      count(u.cancer_alliance_code)::int AS "allianceKnown", count(*) FILTER (WHERE u.from_trust)::int AS "icbFromTrust"
    FROM u JOIN surveys s ON s.id = u.survey_id GROUP BY s.code ORDER BY s.code`, params);
  return rows;
}

/**
 * The purge destroys the postcode the IMD quintile comes from: it may run only once every
 * patient's grouping variables have been derived from an imported area lookup.
 */
export async function assertGroupsDerived(sql: RunSql, surveyId: string): Promise<void> {
  if (!(await lookupExists(sql))) {
    throw new DomainError('invalid_state',
      "The patients' IMD quintile, ICB and Cancer Alliance have not been derived because no area lookup has been imported, "
      + 'and the purge would destroy the postcodes they come from. Import the area lookup (areas:import), which derives them, then purge.');
  }
  const [{ underived }] = await sql(
    'SELECT count(*)::int AS underived FROM patients WHERE survey_id = $1 AND purged_at IS NULL AND groups_derived_at IS NULL', [surveyId]);
  if (underived) {
    throw new DomainError('invalid_state',
      `${underived} patient${underived > 1 ? 's' : ''} of this survey ${underived > 1 ? 'have' : 'has'} no IMD quintile, ICB and Cancer Alliance derived yet, `
      + 'and the purge would destroy the postcodes they come from. Derive them (results:derive for this survey), then purge.');
  }
}
