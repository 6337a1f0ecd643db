/** The `jwt` role settings in the policy (defined with the provider's contract in protocol/). */
export { jwtSettingsSchema, type JwtSettings } from '../../../protocol/credentials/jwt.ts';
