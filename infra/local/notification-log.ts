/**
 * Citizen notifications in local mode: one JSON line per outcome in DATA_DIR/notifications.log
 * (`tail -f` it, README). Ids and statuses only — no names, no fields. In production the same port
 * would reach an SMS, e-mail or app-push gateway.
 */
import { appendFile } from 'node:fs/promises';
import type { CitizenNotification, CitizenNotifier } from '../../shared/workflow/petition-events.ts';

export class NotificationLog implements CitizenNotifier {
  constructor(private readonly file: string) {}

  async notify(notification: CitizenNotification): Promise<void> {
    await appendFile(this.file, `${JSON.stringify(notification)}\n`, { mode: 0o600 });
  }
}
