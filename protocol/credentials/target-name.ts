/** A target name: how a role's policy settings name a `targets:` entry of the broker config. */
import { z } from 'zod';

/** A target name in the broker config. */
export const targetNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a target name is lowercase letters, digits and dashes');
