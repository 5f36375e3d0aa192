/**
 * Placeholder created by the infra work so the stack can bundle a targets function; the weekly
 * targets handler (event `{ week?: 'YYYY-Www' }`) replaces it.
 */
export const handler = async (): Promise<{ skipped: true }> => ({ skipped: true });
