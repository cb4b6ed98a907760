// Node-RED settings of bench/rules/run: no editor, no credentials file, quiet logs.
module.exports = {
  uiPort: parseInt(process.env.NODERED_PORT || "1880", 10),
  uiHost: "127.0.0.1",
  httpAdminRoot: false,
  httpNodeRoot: false,
  flowFile: "flows.json",
  credentialSecret: false,
  logging: { console: { level: "warn", metrics: false, audit: false } },
  editorTheme: { projects: { enabled: false } },
};
