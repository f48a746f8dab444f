// Starts PostGraphile v5 (graphile.config.mjs beside this file) on PG_HOST:PG_PORT with
// grafserv's plain Node HTTP adaptor. bench/run.sh copies both files next to the cached
// node_modules and runs this with Node 24.
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import preset from "./graphile.config.mjs";

const host = process.env.PG_HOST ?? "127.0.0.1";
const port = Number(process.env.PG_PORT ?? 5678);
const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (e) => {
  console.error(e);
  process.exit(1);
});
await serv.addTo(server);
// Build the schema before listening, so "ready" means "can answer".
await pgl.getSchema();
server.listen(port, host, () => console.log(`postgraphile listening on http://${host}:${port}/graphql`));
const stop = async () => {
  server.close();
  await pgl.release();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
