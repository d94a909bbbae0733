using AgentGateway.ConformanceServer.Mcp;
using AgentGateway.ConformanceServer.Security;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddLocalhostOnly();
builder.AddConformanceMcpServer();

var app = builder.Build();

app.UseLocalhostOnly();
app.MapDefaultEndpoints();
app.MapConformanceMcpServer();

app.Run();
