import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail must outlive what it names. Its foreign key to patients made a corrected
 * sample file fail once anyone had read one of the trust's patients (the replaced patients
 * could not be deleted); each row now keeps the patient's survey reference as it was, and
 * the patient id only as a plain number. TRUNCATE, which the row trigger never sees, is
 * refused as UPDATE and DELETE are.
 */
export class AuditOutlivesPatients1796256000000 implements MigrationInterface {
  name = 'AuditOutlivesPatients1796256000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE audit_log ADD COLUMN patient_reference text');
    await this.withRowGuardOff(q, () => q.query(
      'UPDATE audit_log a SET patient_reference = p.survey_reference FROM patients p WHERE p.id = a.patient_id'));
    await q.query('ALTER TABLE audit_log DROP CONSTRAINT audit_log_patient_id_fkey');
    await q.query('CREATE INDEX audit_log_reference ON audit_log (survey_id, patient_reference, at) WHERE patient_reference IS NOT NULL');
    await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER audit_log_no_truncate ON audit_log');
    await q.query('DROP INDEX audit_log_reference');
    // Rows naming patients who are gone lose the link the key would have refused.
    await this.withRowGuardOff(q, () => q.query(
      'UPDATE audit_log a SET patient_id = NULL WHERE patient_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM patients p WHERE p.id = a.patient_id)'));
    await q.query('ALTER TABLE audit_log ADD CONSTRAINT audit_log_patient_id_fkey FOREIGN KEY (patient_id) REFERENCES patients(id)');
    await q.query('ALTER TABLE audit_log DROP COLUMN patient_reference');
  }

  private async withRowGuardOff(q: QueryRunner, change: () => Promise<unknown>): Promise<void> {
    await q.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await change();
    await q.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
  }
}
