/** A delivery-status notification (RFC 3464) as a receiving mail server writes one, as raw text. */
export function dsn(options: {
  to: string; finalRecipient: string; messageId: string | null;
  action?: string; status: string; diagnostic?: string; bodyLine?: string;
}): string {
  const headers = options.messageId === null ? 'Subject: Your invitation' : `Message-ID: ${options.messageId}\r\nSubject: Your invitation`;
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.org>',
    `To: ${options.to}`,
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="=_report"',
    '',
    '--=_report',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `I'm sorry to have to inform you that your message could not be delivered. ${options.bodyLine ?? ''}`,
    '',
    '--=_report',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.org',
    'Arrival-Date: Thu, 3 Dec 2026 10:00:00 +0000',
    '',
    `Final-Recipient: rfc822; ${options.finalRecipient}`,
    `Action: ${options.action ?? 'failed'}`,
    `Status: ${options.status}`,
    `Diagnostic-Code: smtp; ${options.diagnostic ?? `550 ${options.status} <${options.finalRecipient}>: Recipient address rejected:`}`,
    ...(options.diagnostic ? [] : ['    User unknown in virtual mailbox table']),
    '',
    '--=_report',
    'Content-Type: text/rfc822-headers',
    '',
    'From: cpes-survey@fieldwork.invalid',
    `To: ${options.finalRecipient}`,
    headers,
    '',
    '--=_report--',
    '',
  ].join('\r\n');
}
