// The local Messages API stand-in lives with the drill, which uses it for `npm run drill -- --ci`.
export * from '../../drill/messages-api';
