Console.Error.WriteLine("mattekit: not built yet"); return 2;
