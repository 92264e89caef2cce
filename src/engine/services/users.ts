/**
 * Reference counting for shared services, from what is on disk: a service is held by every lab
 * whose record says so, and possibly by every `up` under way (it holds its lab's lock from before
 * it acquires services until its record says what it uses). Records that cannot be read count as
 * holders (keep the service: the safe side).
 */
import { liveLocks } from "../../state/lock.js";
import { listLabs, readLab } from "../../state/store.js";
import type { HostService } from "./service.js";

/** Whether a lab other than `except` holds `service`, or an `up` of another lab is under way. */
export function heldByOthers(service: HostService, except: string | undefined): boolean {
  if (heldByRecords(service, except)) return true;
  return liveLocks().some((l) => l.name !== except && l.command.startsWith("nslab up "));
}

/** Whether the record of a lab other than `except` says it holds `service`. */
export function heldByRecords(service: HostService, except: string | undefined): boolean {
  const holders = listLabs().filter((lab) => {
    if (lab === except) return false;
    try {
      const record = readLab(lab);
      return record ? service.heldBy(record) : false;
    } catch {
      return true; // unreadable record: be conservative, keep the service
    }
  });
  return holders.length > 0;
}

/** Of the labs `claims` names (ups that acquired a service), those whose `up` is still under way. */
export function upsUnderWay(claims: readonly string[], except: string | undefined): string[] {
  const live = new Set(liveLocks().map((l) => l.name));
  return claims.filter((lab) => lab !== except && live.has(lab));
}
