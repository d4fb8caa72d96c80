import PDFDocument from 'pdfkit';
import type { Addressee } from '../surveys/survey-settings';
import { drawLetter } from './letter-page';
import { LetterFields, LetterTemplate, MailingStep } from './letter-template';
import { LARGE_PRINT, MARGIN, padToEvenPages, stampPages, STANDARD, useFonts } from './pdf-layout';
import type { QuestionnaireDefinition } from './questionnaire-definition';
import { PageForms } from './page-forms';
import { drawQuestionnaire } from './questionnaire-pages';

type Doc = InstanceType<typeof PDFDocument>;

/** The personal facts one pack prints: nothing else about the patient reaches the renderer. */
export interface PackPatient {
  reference: string;
  accessCode: string;
  title: string | null;
  firstName: string;
  surname: string;
  address: string[];
  postcode: string;
  trustName: string;
}

export interface SurveyPrintSettings {
  surveyTitle: string;
  /** The online questionnaire's address without the code, e.g. https://cpes.example/s */
  onlineUrl: string;
  helplinePhone: string;
  helplineEmail: string;
  /** The privacy notice, printed in every letter's "How we use your information". */
  privacyUrl: string;
  /** Who signs every letter, from the survey's settings. */
  signatory: { name: string; role: string };
  /** Who letters and e-mails are addressed to: the patient, or the parent or carer of the patient (never the child). */
  addressee: Addressee;
}

export function newPackDocument(title: string): Doc {
  const doc = new PDFDocument({
    size: 'A4', autoFirstPage: false, bufferPages: true, margin: MARGIN,
    info: { Title: title, Author: 'CPES Fieldwork' },
  });
  useFonts(doc);
  return doc;
}

/**
 * Renders packs: the step's letter, then (for full mailings) the questionnaire, every page
 * numbered within the pack and carrying the survey reference so a loose page can be matched.
 * The letter and the questionnaire each take an even number of pages (a blank page where
 * needed): printed on both sides, a pack never shares a sheet with the next patient's, and the
 * questionnaire can be posted back while the letter, with its access code, is kept.
 */
export class PackRenderer {
  private readonly questionnairePages = new PageForms();

  constructor(
    readonly questionnaire: QuestionnaireDefinition,
    private readonly letters: Record<MailingStep, LetterTemplate>,
    readonly settings: SurveyPrintSettings,
  ) {}

  /** Appends one pack to `doc`, flushes its pages, and returns how many pages it has. */
  render(doc: Doc, patient: PackPatient, step: MailingStep, largePrint = false, date = new Date()): number {
    const scale = largePrint ? LARGE_PRINT : STANDARD;
    const { start, count } = doc.bufferedPageRange();
    const firstPage = start + count;
    const letter = this.letters[step];
    drawLetter(doc, letter, this.fields(patient), {
      lines: addressLines(patient, this.settings.addressee), firstLineWhole: this.settings.addressee === 'parent_or_carer',
    }, scale,
      date.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' }),
      { signatory: this.settings.signatory, privacyUrl: this.settings.privacyUrl });
    padToEvenPages(doc, firstPage, scale);
    if (letter.includesQuestionnaire) {
      this.questionnairePages.place(doc, largePrint ? 'large' : 'standard', () => {
        const { start, count } = doc.bufferedPageRange();
        drawQuestionnaire(doc, this.questionnaire, scale);
        padToEvenPages(doc, start + count, scale);
      });
    }
    const pages = stampPages(doc, firstPage, patient.reference, scale);
    doc.flushPages(); // a print file holds up to 2,000 packs: keep only the current one in memory
    return pages;
  }

  private fields(p: PackPatient): LetterFields {
    return {
      salutation: salutation(p, this.settings.addressee),
      trustName: p.trustName,
      surveyTitle: this.settings.surveyTitle,
      onlineUrl: this.settings.onlineUrl,
      accessCode: p.accessCode,
      reference: p.reference,
      helplinePhone: this.settings.helplinePhone,
      helplineEmail: this.settings.helplineEmail,
    };
  }
}

/**
 * After "Dear": "Mrs O'Testing", or the full name when no title is known; "parent or carer"
 * when the survey writes to the patient's parent or carer (a child is never addressed).
 */
export function salutation(p: Pick<PackPatient, 'title' | 'firstName' | 'surname'>, addressee: Addressee = 'patient'): string {
  if (addressee === 'parent_or_carer') return 'parent or carer';
  return p.title ? `${p.title} ${p.surname}` : `${p.firstName} ${p.surname}`;
}

/** The address block: the patient by name, or "To the parent or carer of" the patient, at the patient's address. */
export function addressLines(p: Pick<PackPatient, 'title' | 'firstName' | 'surname' | 'address' | 'postcode'>, addressee: Addressee = 'patient'): string[] {
  const first = addressee === 'parent_or_carer'
    ? `To the parent or carer of ${p.firstName} ${p.surname}` // a child's title ("Miss", "Master") is not the parent's
    : [p.title, p.firstName, p.surname].filter(Boolean).join(' ');
  return [first, ...p.address, p.postcode];
}

/** Collects a finished document into one buffer. */
export function documentBuffer(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
