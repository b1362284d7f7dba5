// oidc-provider ships no type declarations; the test IdP treats its API as untyped.
declare module 'oidc-provider';
