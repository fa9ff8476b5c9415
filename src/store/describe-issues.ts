import type { z } from 'zod';

/** The first few problems of a failed parse, each naming its field: for one-line reports. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length > 0 ? `field '${i.path.join('.')}': ${i.message}` : i.message))
    .join('; ');
}
