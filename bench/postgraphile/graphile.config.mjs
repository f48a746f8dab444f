// PostGraphile v5 preset for bench/run.sh: the tables of schema `app` (bench/data.sql),
// served as they come, with PostGraphile's defaults everywhere except:
// - NodePlugin is disabled, so the `id` column is served as `id` (not renamed to `rowId`)
//   and no Relay global ids are computed: closest to what the other engines return;
// - the connection-filter plugin (postgraphile-plugin-connection-filter) is added, with
//   relation filters, because core PostGraphile has no range or related-field filter
//   (F1); the plugin is the usual way to get them;
// - no GraphiQL and no explain; watch mode is off (the default).
// The pg pool is PostGraphile's default (makePgService: node-postgres, max 10).
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
  disablePlugins: ["NodePlugin"],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["app"],
    }),
  ],
  schema: {
    connectionFilterRelations: true,
  },
  grafserv: {
    graphqlPath: "/graphql",
    graphiql: false,
    watch: false,
  },
  grafast: {
    explain: false,
  },
};

export default preset;
