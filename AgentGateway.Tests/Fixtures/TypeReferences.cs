using System.Reflection;
using System.Reflection.Emit;

namespace AgentGateway.Tests.Fixtures;

/// <summary>
/// The types each type of an assembly uses: in its base type, interfaces, fields, properties, signatures and method
/// bodies (calls, fields, constructions, casts, tokens), its compiler-made nested types (lambdas, state machines)
/// counted as its own. Read from the compiled IL, so what the compiler resolved is what counts.
/// </summary>
public static class TypeReferences
{
    private static readonly Dictionary<short, OpCode> s_opCodes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    /// <summary>For each top-level type of <paramref name="assembly"/>, the types of the same assembly it uses.</summary>
    public static IReadOnlyDictionary<Type, HashSet<Type>> Within(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var result = new Dictionary<Type, HashSet<Type>>();
        foreach (var type in assembly.GetTypes())
        {
            var owner = Outermost(type);
            if (!result.TryGetValue(owner, out var used))
            {
                result[owner] = used = [];
            }

            foreach (var reference in Of(type).Where(reference => reference.Assembly == assembly))
            {
                used.Add(Outermost(reference));
            }
        }

        foreach (var (owner, used) in result)
        {
            used.Remove(owner);
        }

        return result;
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } declaring)
        {
            type = declaring;
        }

        return type.IsGenericType && !type.IsGenericTypeDefinition ? type.GetGenericTypeDefinition() : type;
    }

    private static IEnumerable<Type> Of(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var found = new List<Type>();
        if (type.BaseType is { } baseType)
        {
            found.Add(baseType);
        }

        found.AddRange(type.GetInterfaces());
        found.AddRange(type.GetFields(all).Select(field => field.FieldType));
        found.AddRange(type.GetProperties(all).Select(property => property.PropertyType));
        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (method is MethodInfo info)
            {
                found.Add(info.ReturnType);
            }

            found.AddRange(method.GetParameters().Select(parameter => parameter.ParameterType));
            found.AddRange(InBody(method));
        }

        return found.SelectMany(Unwrap);
    }

    /// <summary>A type and the types it is made of (element types, generic arguments).</summary>
    private static IEnumerable<Type> Unwrap(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var element in Unwrap(type.GetElementType()!))
            {
                yield return element;
            }

            yield break;
        }

        if (type.IsGenericParameter)
        {
            yield break;
        }

        yield return type;
        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments().SelectMany(Unwrap))
            {
                yield return argument;
            }
        }
    }

    private static IEnumerable<Type> InBody(MethodBase method)
    {
        if (method.GetMethodBody()?.GetILAsByteArray() is not { } il)
        {
            yield break;
        }

        var module = method.Module;
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[position++]);
            }

            var code = s_opCodes[value];
            switch (code.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, position);
                    position += 4;
                    var member = Resolve(module, token, typeArguments, methodArguments);
                    if (member is Type resolvedType)
                    {
                        yield return resolvedType;
                    }
                    else if (member is FieldInfo field)
                    {
                        yield return field.DeclaringType!;
                        yield return field.FieldType;
                    }
                    else if (member is MethodBase called)
                    {
                        yield return called.DeclaringType!;
                        if (called is MethodInfo calledMethod)
                        {
                            yield return calledMethod.ReturnType;
                            foreach (var argument in calledMethod.IsGenericMethod ? calledMethod.GetGenericArguments() : [])
                            {
                                yield return argument;
                            }
                        }
                    }

                    break;
                case OperandType.InlineSwitch:
                    var count = BitConverter.ToInt32(il, position);
                    position += 4 + (4 * count);
                    break;
                default:
                    position += OperandSize(code.OperandType);
                    break;
            }
        }
    }

    private static MemberInfo? Resolve(Module module, int token, Type[]? typeArguments, Type[]? methodArguments)
    {
        try
        {
            return module.ResolveMember(token, typeArguments, methodArguments);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static int OperandSize(OperandType type) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };
}
