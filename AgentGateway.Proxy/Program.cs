using AgentGateway.Proxy.Configuration;
using AgentGateway.Proxy.Limits;
using AgentGateway.Proxy.Mcp;
using AgentGateway.Proxy.Policies;
using AgentGateway.Proxy.Routing;

LimitsExtensions.BoundRegularExpressions();

var builder = WebApplication.CreateBuilder(args);

builder.Configuration.AddCommandLine(args, GatewayConfigurationExtensions.CommandLineSwitches);
builder.UseInlineScheduling();

builder.AddServiceDefaults();
builder.AddGatewayLimits();
builder.AddGatewayConfiguration();
builder.AddGatewayPolicies();
builder.AddMcpGateway();
builder.AddGatewayRouting();

var app = builder.Build();

app.UseGatewayRoutes();
app.MapDefaultEndpoints();

app.Run();
