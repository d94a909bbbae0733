using AgentGateway.Samples.Utilities.Mcp;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddUtilitiesMcpServer();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapUtilitiesMcpServer();

app.Run();
