Console.Error.WriteLine("not implemented yet: see the open issues");
return 1;
