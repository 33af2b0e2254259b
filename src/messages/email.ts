/**
 * E-mail through the institution's SMTP server (SMTP_URL, SMTP_FROM), with nodemailer: a text
 * part and an HTML part. smtp:// upgrades with STARTTLS when the server offers it, smtps:// speaks
 * TLS from the start; the credentials are the URL's. Short timeouts: a server that does not answer
 * fails the attempt, which the sender tries again later, rather than holding the sender up.
 */
import nodemailer from 'nodemailer';
import type { ComposedMessage } from './compose.js';

export interface EmailSender {
  send(to: string, message: ComposedMessage): Promise<void>;
  close(): void;
}

export function emailSender(smtpUrl: string, from: string): EmailSender {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    // nodemailer logs nothing by default; said here because its log would carry addresses.
    logger: false,
  });
  return {
    async send(to, m) {
      await transport.sendMail({ from, to, subject: m.subject, text: m.text, html: m.html });
    },
    close: () => transport.close(),
  };
}
