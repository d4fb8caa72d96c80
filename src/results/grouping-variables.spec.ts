import { ageBand, ethnicGroup, imdQuintile, imdQuintileLabel, sexGroup, tumourGroup } from './grouping-variables';

describe('grouping variables (RESULTS-METHOD.md)', () => {
  it('puts every ICD-10 range boundary in its tumour group, first match, in any spelling', () => {
    const cases: [string, string][] = [
      ['C70', 'Brain / CNS'], ['C72.9', 'Brain / CNS'], ['C69', 'Other'], ['C73', 'Head and neck'],
      ['C50', 'Breast'], ['C50.9', 'Breast'], ['C509', 'Breast'], ['c50.1', 'Breast'], [' C50 ', 'Breast'], ['D05', 'Breast'], ['D05.1', 'Breast'], ['D051', 'Breast'],
      ['D06', 'Other'], ['D04.9', 'Other'],
      ['C18', 'Colorectal / LGT'], ['C21.8', 'Colorectal / LGT'], ['C17', 'Upper gastro'], ['C22', 'Upper gastro'],
      ['C51', 'Gynaecological'], ['C58', 'Gynaecological'], ['C59', 'Other'],
      ['C81', 'Haematological'], ['C96.9', 'Haematological'], ['C80', 'Other'], ['C97', 'Other'],
      ['C00', 'Head and neck'], ['C14.8', 'Head and neck'], ['C15', 'Upper gastro'], ['C30', 'Head and neck'], ['C32', 'Head and neck'],
      ['C29', 'Other'], ['C33', 'Lung'], ['C34.1', 'Lung'], ['C35', 'Other'],
      ['C61', 'Prostate'], ['C60', 'Urological'], ['C62', 'Urological'], ['C68', 'Urological'], ['C69.2', 'Other'],
      ['C40', 'Sarcoma'], ['C41', 'Sarcoma'], ['C42', 'Other'], ['C44.9', 'Skin'], ['C45', 'Sarcoma'], ['C49', 'Sarcoma'],
      ['C43', 'Skin'], ['C44', 'Skin'], ['C16', 'Upper gastro'], ['C23', 'Upper gastro'], ['C25', 'Upper gastro'], ['C26', 'Other'],
      ['C64', 'Urological'], ['C67.9', 'Urological'],
      ['', 'Other'], ['not a code', 'Other'], ['C5', 'Other'],
    ];
    expect(cases.map(([code]) => [code, tumourGroup(code)])).toEqual(cases);
    expect(tumourGroup(null)).toBe('Other');
  });

  it('bands age at discharge at every boundary, none below 16', () => {
    const cases: [number, string | null][] = [
      [15, null], [16, '16–24'], [24, '16–24'], [25, '25–34'], [34, '25–34'], [35, '35–44'], [44, '35–44'],
      [45, '45–54'], [54, '45–54'], [55, '55–64'], [64, '55–64'], [65, '65–74'], [74, '65–74'],
      [75, '75–84'], [84, '75–84'], [85, '85+'], [104, '85+'],
    ];
    expect(cases.map(([age]) => [age, ageBand(age)])).toEqual(cases);
    expect(ageBand(null)).toBeNull();
    expect(ageBand(Number.NaN)).toBeNull();
  });

  it('groups NHS sex codes 1, 2 and the rest', () => {
    expect(['1', '2', '0', '9', '', null].map(sexGroup)).toEqual(['male', 'female', 'other or not known', 'other or not known', 'other or not known', 'other or not known']);
  });

  it('groups every NHS ethnic category code, with Z, 99, blank and unknown codes as not known', () => {
    const cases: [string | null, string][] = [
      ['A', 'White'], ['B', 'White'], ['C', 'White'], ['D', 'Mixed'], ['E', 'Mixed'], ['F', 'Mixed'], ['G', 'Mixed'],
      ['H', 'Asian'], ['J', 'Asian'], ['K', 'Asian'], ['L', 'Asian'], ['M', 'Black'], ['N', 'Black'], ['P', 'Black'],
      ['R', 'Other'], ['S', 'Other'], ['Z', 'Not known'], ['99', 'Not known'], ['', 'Not known'], [null, 'Not known'],
      ['a', 'White'], ['I', 'Not known'], ['Q', 'Not known'],
    ];
    expect(cases.map(([code]) => [code, ethnicGroup(code)])).toEqual(cases);
  });

  it('turns IMD deciles into quintiles at every boundary, anything else unknown', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(imdQuintile)).toEqual(['1', '1', '2', '2', '3', '3', '4', '4', '5', '5']);
    expect([0, 11, 2.5, null, undefined].map(imdQuintile)).toEqual(['unknown', 'unknown', 'unknown', 'unknown', 'unknown']);
    expect([1, 5, null, 6].map(imdQuintileLabel)).toEqual(['1', '5', 'unknown', 'unknown']);
  });
});
