using AgentGateway.Proxy.Configuration;
using AgentGateway.Proxy.Mcp;
using AgentGateway.Proxy.Policies;

var builder = WebApplication.CreateBuilder(args);

builder.Configuration.AddCommandLine(args, GatewayConfigurationExtensions.CommandLineSwitches);

builder.AddServiceDefaults();
builder.AddGatewayConfiguration();
builder.AddGatewayPolicies();
builder.AddMcpGateway();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapMcpGateway();

app.Run();
