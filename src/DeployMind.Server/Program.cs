using DeployMind.Server;

var app = DeployMindServer.Build(args);
await app.RunAsync();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
