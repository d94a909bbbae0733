using AgentGateway.Proxy.Config;
using AgentGateway.Proxy.Hosting;
using AgentGateway.Proxy.Limits;
using AgentGateway.Proxy.Pipeline;

LimitsExtensions.BoundRegularExpressions();

var builder = WebApplication.CreateBuilder(args);

builder.Configuration.AddCommandLine(args, GatewayConfigurationExtensions.CommandLineSwitches);
builder.UseInlineScheduling();

builder.AddServiceDefaults();
builder.AddGatewayLimits();
builder.AddGatewayPipeline();
builder.AddRouteKinds();
builder.AddGatewayConfiguration();

var app = builder.Build();
app.UseManagementListener();

app.UseGatewayRoutes();
app.MapDefaultEndpoints();

app.Run();
