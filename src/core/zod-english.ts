// zod/mini carries no message text: every problem reads "Invalid input". The English messages
// (the ones full zod gives) are what the model reads when its reply is refused and what the
// settings form shows, so they are set once, globally, by importing this module.
import * as z from "zod/mini";
import { en } from "zod/locales";

z.config(en());
