using AgentGateway.Proxy.Config;
using AgentGateway.Proxy.Hosting;
using AgentGateway.Proxy.Kinds.Mcp;
using AgentGateway.Proxy.Limits;
using AgentGateway.Proxy.Pipeline;

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
