// Publicizer: makes the internal API surface of an assembly visible to the C# compiler.
//
//   Publicizer <outputDirectory> <assembly.dll>...
//
// For every type in a Microsoft.ML* namespace: internal types become public; internal and
// `protected internal` members become public; `private protected` members become `protected`
// (so a subclass in another assembly can override them). Private members, compiler-generated types
// and members, and polyfills in other namespaces (System.*) are left alone, so the copy never
// clashes with the BCL. The copy is a compile-time reference only: its strong-name signature is not
// valid and it must never be deployed. Lstm.MLNet declares [assembly: IgnoresAccessChecksTo(...)]
// so the runtime lets it use, at run time, what the compiler let it see.

using Mono.Cecil;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Publicizer <outputDirectory> <assembly.dll>...");
    return 2;
}

string outputDirectory = Path.GetFullPath(args[0]);
Directory.CreateDirectory(outputDirectory);

foreach (string input in args.Skip(1))
{
    string inputPath = Path.GetFullPath(input);
    string outputPath = Path.Combine(outputDirectory, Path.GetFileName(inputPath));
    if (string.Equals(inputPath, outputPath, StringComparison.OrdinalIgnoreCase))
    {
        Console.Error.WriteLine($"Publicizer: refusing to overwrite the input {inputPath}.");
        return 3;
    }

    using var resolver = new DefaultAssemblyResolver();
    resolver.AddSearchDirectory(Path.GetDirectoryName(inputPath)!);
    using var module = ModuleDefinition.ReadModule(inputPath, new ReaderParameters
    {
        AssemblyResolver = resolver,
        ReadingMode = ReadingMode.Immediate,
        ReadSymbols = false,
    });

    var counts = new int[2];
    foreach (TypeDefinition type in module.Types)
        Publicize(type, counts);

    // Write to a temporary file first so an interrupted run never leaves a half-written reference.
    string temporaryPath = outputPath + ".tmp";
    module.Write(temporaryPath, new WriterParameters { DeterministicMvid = true });
    File.Move(temporaryPath, outputPath, overwrite: true);
    Console.WriteLine($"Publicizer: {Path.GetFileName(inputPath)}: {counts[0]} types, {counts[1]} members made visible -> {outputPath}");
}
return 0;

static void Publicize(TypeDefinition type, int[] counts)
{
    if (IsCompilerGenerated(type.Name))
        return;
    string ns = OutermostNamespace(type);
    if (!(ns == "Microsoft.ML" || ns.StartsWith("Microsoft.ML.", StringComparison.Ordinal)))
        return;

    if (type.IsNested)
    {
        if (!type.IsNestedPublic)
        {
            type.Attributes = (type.Attributes & ~TypeAttributes.VisibilityMask) | TypeAttributes.NestedPublic;
            counts[0]++;
        }
    }
    else if (!type.IsPublic)
    {
        type.Attributes = (type.Attributes & ~TypeAttributes.VisibilityMask) | TypeAttributes.Public;
        counts[0]++;
    }

    // Methods and fields share the access encoding (ECMA-335: FamANDAssem 2, Assembly 3, Family 4, FamORAssem 5, Public 6).
    foreach (MethodDefinition method in type.Methods)
    {
        if (IsCompilerGenerated(method.Name))
            continue;
        int access = (int)(method.Attributes & MethodAttributes.MemberAccessMask), widened = Widen(access);
        if (widened != access)
        {
            method.Attributes = (method.Attributes & ~MethodAttributes.MemberAccessMask) | (MethodAttributes)widened;
            counts[1]++;
        }
    }

    foreach (FieldDefinition field in type.Fields)
    {
        if (IsCompilerGenerated(field.Name))
            continue;
        int access = (int)(field.Attributes & FieldAttributes.FieldAccessMask), widened = Widen(access);
        if (widened != access)
        {
            field.Attributes = (field.Attributes & ~FieldAttributes.FieldAccessMask) | (FieldAttributes)widened;
            counts[1]++;
        }
    }

    foreach (TypeDefinition nested in type.NestedTypes)
        Publicize(nested, counts);
}

// internal and `protected internal` become public; `private protected` becomes protected (overridable by a subclass elsewhere).
static int Widen(int access) => access switch
{
    (int)MethodAttributes.Assembly or (int)MethodAttributes.FamORAssem => (int)MethodAttributes.Public,
    (int)MethodAttributes.FamANDAssem => (int)MethodAttributes.Family,
    _ => access,
};

static bool IsCompilerGenerated(string name) => name.Contains('<') || name.Contains('$');

static string OutermostNamespace(TypeDefinition type)
{
    while (type.DeclaringType is not null)
        type = type.DeclaringType;
    return type.Namespace;
}
