import { dsn } from '../../../test/support/dsn';
import { describeBounce, readDeliveryReport, scrubDiagnostic } from './delivery-status';

const report = (o: Partial<Parameters<typeof dsn>[0]>) => readDeliveryReport(Buffer.from(dsn({
  to: 'bounces+7@fieldwork.invalid', finalRecipient: 'jane.doe@example.com', messageId: '<mailing-7@fieldwork.invalid>', status: '5.1.1', ...o,
})));

describe('delivery-status notifications', () => {
  it('reads a permanent failure: status, diagnostic without the address, and the quoted Message-ID', async () => {
    expect(await report({})).toEqual({
      kind: 'permanent', code: '5.1.1', originalMessageId: '<mailing-7@fieldwork.invalid>',
      diagnostic: '550 5.1.1 <address>: Recipient address rejected: User unknown in virtual mailbox table',
    });
  });

  it('calls 4.x.x, or a delay, temporary; a success or a non-report is nothing', async () => {
    expect(await report({ status: '4.2.2', diagnostic: '452 4.2.2 Mailbox full' })).toMatchObject({ kind: 'temporary', code: '4.2.2' });
    expect(await report({ action: 'delayed', status: '4.4.1', diagnostic: 'no answer' })).toMatchObject({ kind: 'temporary' });
    expect(await report({ action: 'delivered', status: '2.0.0', diagnostic: 'ok' })).toBeNull();
    expect(await readDeliveryReport(Buffer.from('From: a@b.example\r\nSubject: Out of office\r\n\r\nI am away until Monday.\r\n'))).toBeNull();
  });

  it('keeps nothing that names the patient, and never more than 200 characters', () => {
    expect(scrubDiagnostic('smtp; 550 No such user jane.doe@example.com (NHS 9434765919)')).toBe('550 No such user <address> (NHS …)');
    expect(scrubDiagnostic(`smtp; 550 ${'x'.repeat(400)}`)).toHaveLength(200);
  });

  it('says in words what happened', () => {
    expect(describeBounce('5.1.1', 'permanent')).toBe('mailbox does not exist');
    expect(describeBounce('5.9.9', 'permanent')).toBe('the address cannot take mail');
  });
});
