import { join } from "node:path";
import { parseVerbArgs, UsageError, type Verb } from "./usage.ts";
import { stateDir } from "../runner/state.ts";

export const userVerb: Verb = {
  name: "user",
  summary: "add, list and remove console users (viewer or editor)",
  usage: `Usage: skein user add NAME --role viewer|editor [--password-stdin]
       skein user passwd NAME [--password-stdin]
       skein user remove NAME
       skein user list

Console users live in the mesh's database (DATABASE_URL, or <state dir>/skein.db).
Passwords are stored as scrypt hashes and read from SKEIN_USER_PASSWORD or, with
--password-stdin, from the first line of standard input; at least 8 characters.
Changing a password or removing a user ends their sessions. Viewers see everything;
only editors change config.`,
  async run(argv, io) {
    const { values, positionals } = parseVerbArgs(argv, { role: { type: "string" }, "password-stdin": { type: "boolean" }, help: { type: "boolean", short: "h" } }, true);
    if (values.help) return (io.stdout(this.usage + "\n"), 0);
    const [action, name, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (action !== "list" && !name) throw new UsageError(action ? `"${action}" needs a user name` : "which action: add, passwd, remove or list?");
    const { openDatabase } = await import("../store/db.ts");
    const { migrate } = await import("../store/migrate.ts");
    const { UserStore, parseRole } = await import("../store/users.ts");
    const url = process.env.DATABASE_URL ?? `file:${join(stateDir(process.env, io.cwd), "skein.db")}`;
    if (url.startsWith("file:")) migrate(url.slice(5));
    const db = openDatabase(url);
    const users = new UserStore(db);
    const password = async (): Promise<string> => {
      const p = values["password-stdin"] ? (await io.readStdin()).split(/\r?\n/)[0] : process.env.SKEIN_USER_PASSWORD;
      if (!p) throw new UsageError("give the password in SKEIN_USER_PASSWORD or on standard input with --password-stdin");
      return p;
    };
    try {
      switch (action) {
        case "add": {
          if (!values.role) throw new UsageError("--role viewer|editor is required");
          const user = await users.add(name!, await password(), parseRole(values.role));
          io.stdout(`user ${user.username} added (${user.role})\n`);
          return 0;
        }
        case "passwd":
          await users.setPassword(name!, await password());
          io.stdout(`password of ${name} changed; their sessions are closed\n`);
          return 0;
        case "remove":
          await users.remove(name!);
          io.stdout(`user ${name} removed\n`);
          return 0;
        case "list":
          for (const u of await users.list()) io.stdout(`${u.username}\t${u.role}\n`);
          return 0;
        default:
          throw new UsageError(`unknown action "${action}": add, passwd, remove or list`);
      }
    } catch (e) {
      if (e instanceof UsageError) throw e;
      io.stderr(`skein user: ${(e as Error).message}\n`);
      return 1;
    } finally {
      await db.$disconnect();
    }
  },
};
