using AgentGateway.Proxy.Configuration;
using AgentGateway.Proxy.Mcp;

var builder = WebApplication.CreateBuilder(args);

builder.Configuration.AddCommandLine(args, GatewayConfigurationExtensions.CommandLineSwitches);

builder.AddServiceDefaults();
builder.AddGatewayConfiguration();
builder.AddMcpGateway();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapMcpGateway();

app.Run();
