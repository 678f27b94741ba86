/** The API routes the dashboard reads (same origin: the API serves the page). */
export const ENDPOINTS = {
  devSignIn: '/api/dev',
  devToken: '/api/dev/token',
  organizations: '/api/organizations',
  organization: (id: string) => `/api/organizations/${id}`,
  partnerships: '/api/partnerships',
  partnership: (id: string) => `/api/partnerships/${id}`,
  state: (id: string) => `/api/partnerships/${id}/state`,
  history: (id: string) => `/api/partnerships/${id}/history`,
  pipeline: '/api/dashboard/pipeline',
  matrix: '/api/dashboard/matrix',
  activity: '/api/dashboard/activity',
  upcoming: '/api/dashboard/upcoming',
  live: '/api/dashboard/stream',
  meetings: (id: string) => `/api/partnerships/${id}/meetings`,
  outcome: (id: string, meetingId: string) => `/api/partnerships/${id}/meetings/${meetingId}/outcome`,
  agreementSignature: (id: string, agreementId: string) =>
    `/api/partnerships/${id}/agreements/${agreementId}/signatures`,
  mouSignature: (id: string, mouId: string) => `/api/partnerships/${id}/mous/${mouId}/signatures`,
} as const;
