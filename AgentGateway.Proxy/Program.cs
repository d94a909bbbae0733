using AgentGateway.Proxy.Configuration;
using AgentGateway.Proxy.Mcp;
using AgentGateway.Proxy.Policies;
using AgentGateway.Proxy.Routing;

var builder = WebApplication.CreateBuilder(args);

builder.Configuration.AddCommandLine(args, GatewayConfigurationExtensions.CommandLineSwitches);
builder.UseInlineScheduling();

builder.AddServiceDefaults();
builder.AddGatewayConfiguration();
builder.AddGatewayPolicies();
builder.AddMcpGateway();
builder.AddGatewayRouting();

var app = builder.Build();

app.UseGatewayRoutes();
app.MapDefaultEndpoints();

app.Run();
