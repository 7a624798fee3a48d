// Where notifications go, overridable on the worker for proxies, tests and the embedded stack's
// dev inbox: SLACK_API_URL (Slack's Web API) and PAGERDUTY_EVENTS_URL (Events API v2).
export const slackApi = (): string => (process.env.SLACK_API_URL ?? 'https://slack.com/api').replace(/\/$/, '');
export const pagerdutyEventsUrl = (): string => process.env.PAGERDUTY_EVENTS_URL ?? 'https://events.pagerduty.com/v2/enqueue';
