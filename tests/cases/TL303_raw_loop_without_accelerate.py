from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        from torch.utils.data import DataLoader
        from transformers import AutoModelForSequenceClassification

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = AutoModelForSequenceClassification.from_pretrained("roberta-base", num_labels=3).to(device)
        train_loader = DataLoader(train_ds, batch_size=16, shuffle=True)
        optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)

        for epoch in range(4):
            model.train()
            for batch in train_loader:
                batch = {k: v.to(device) for k, v in batch.items()}
                loss = model(**batch).loss
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
        """,
        at=[(10, 1)],
        action="""
        import torch
        from torch.utils.data import DataLoader
        from transformers import AutoModelForSequenceClassification
        from accelerate import Accelerator

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = AutoModelForSequenceClassification.from_pretrained("roberta-base", num_labels=3).to(device)
        train_loader = DataLoader(train_ds, batch_size=16, shuffle=True)
        optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)

        # TL303: accelerate places the model, optimizer and batches on its device (CPU, one or many GPUs,
        # mixed precision: see `accelerate config`); the .to(device) / .cuda() calls can then go.
        accelerator = Accelerator()
        model, optimizer, train_loader = accelerator.prepare(model, optimizer, train_loader)
        device = accelerator.device

        for epoch in range(4):
            model.train()
            for batch in train_loader:
                batch = {k: v.to(device) for k, v in batch.items()}
                loss = model(**batch).loss
                accelerator.backward(loss)
                optimizer.step()
                optimizer.zero_grad()
        """,
    ),
    Invalid(
        """
        import torch
        import torch.nn.functional as F
        from transformers import AutoModel, get_linear_schedule_with_warmup


        def train_epoch(model, loader, optimizer, scheduler, device):
            model.train()
            for input_ids, attention_mask, labels in loader:
                input_ids = input_ids.to(device, non_blocking=True)
                attention_mask = attention_mask.to(device, non_blocking=True)
                labels = labels.to(device)
                pooled = model(input_ids, attention_mask=attention_mask).pooler_output
                loss = F.cross_entropy(classifier(pooled), labels)
                loss.backward(retain_graph=False)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()


        def main(args):
            model = AutoModel.from_pretrained(args.model)
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
            scheduler = get_linear_schedule_with_warmup(optimizer, 100, args.steps)
            train_epoch(model, make_loader(args), optimizer, scheduler, torch.device(args.device))
        """,
        at=[(8, 5)],
        action="""
        import torch
        import torch.nn.functional as F
        from transformers import AutoModel, get_linear_schedule_with_warmup
        from accelerate import Accelerator


        def train_epoch(model, loader, optimizer, scheduler, device):
            model.train()
            # TL303: accelerate places the model, optimizer and batches on its device (CPU, one or many GPUs,
            # mixed precision: see `accelerate config`); the .to(device) / .cuda() calls can then go.
            accelerator = Accelerator()
            model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
            device = accelerator.device

            for input_ids, attention_mask, labels in loader:
                input_ids = input_ids.to(device, non_blocking=True)
                attention_mask = attention_mask.to(device, non_blocking=True)
                labels = labels.to(device)
                pooled = model(input_ids, attention_mask=attention_mask).pooler_output
                loss = F.cross_entropy(classifier(pooled), labels)
                accelerator.backward(loss, retain_graph=False)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()


        def main(args):
            model = AutoModel.from_pretrained(args.model)
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
            scheduler = get_linear_schedule_with_warmup(optimizer, 100, args.steps)
            train_epoch(model, make_loader(args), optimizer, scheduler, torch.device(args.device))
        """,
    ),
    Invalid(
        """
        import torch
        from transformers import BertForMaskedLM, DataCollatorForLanguageModeling


        class MLMTrainer:
            def __init__(self, model: BertForMaskedLM, dataloader, lr=1e-4):
                self.model = model.cuda()
                self.dataloader = dataloader
                self.optim = torch.optim.AdamW(self.model.parameters(), lr=lr)

            def run(self, epochs):
                for _ in range(epochs):
                    for batch in self.dataloader:
                        batch = {k: v.cuda(non_blocking=True) for k, v in batch.items()}
                        outputs = self.model(**batch)
                        outputs.loss.backward()
                        self.optim.step()
                        self.optim.zero_grad()
        """,
        at=[(12, 9)],
        action="""
        import torch
        from transformers import BertForMaskedLM, DataCollatorForLanguageModeling
        from accelerate import Accelerator


        class MLMTrainer:
            def __init__(self, model: BertForMaskedLM, dataloader, lr=1e-4):
                self.model = model.cuda()
                self.dataloader = dataloader
                self.optim = torch.optim.AdamW(self.model.parameters(), lr=lr)

            def run(self, epochs):
                # TL303: accelerate places the model, optimizer and batches on its device (CPU, one or many GPUs,
                # mixed precision: see `accelerate config`); the .to(device) / .cuda() calls can then go.
                accelerator = Accelerator()
                self.model, self.optim, self.dataloader = accelerator.prepare(self.model, self.optim, self.dataloader)

                for _ in range(epochs):
                    for batch in self.dataloader:
                        batch = {k: v.cuda(non_blocking=True) for k, v in batch.items()}
                        outputs = self.model(**batch)
                        accelerator.backward(outputs.loss)
                        self.optim.step()
                        self.optim.zero_grad()
        """,
    ),
    Invalid(
        """
        import torch
        from accelerate.utils import set_seed
        from transformers import CLIPModel

        set_seed(0)
        model = CLIPModel.from_pretrained("openai/clip-vit-base-patch32").to("cuda")
        optimizer = torch.optim.AdamW(model.parameters(), lr=5e-6)
        step = 0
        while step < 1000:
            images, texts = next(batches)
            out = model(pixel_values=images.to("cuda"), input_ids=texts.to("cuda"), return_loss=True)
            out.loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            step += 1
        """,
        at=[(9, 1)],
        action="""
        import torch
        from accelerate.utils import set_seed
        from transformers import CLIPModel
        from accelerate import Accelerator

        set_seed(0)
        model = CLIPModel.from_pretrained("openai/clip-vit-base-patch32").to("cuda")
        optimizer = torch.optim.AdamW(model.parameters(), lr=5e-6)
        step = 0
        # TL303: accelerate places the model, optimizer and batches on its device (CPU, one or many GPUs,
        # mixed precision: see `accelerate config`); the .to(device) / .cuda() calls can then go.
        accelerator = Accelerator()
        model, optimizer = accelerator.prepare(model, optimizer)

        while step < 1000:
            images, texts = next(batches)
            out = model(pixel_values=images.to("cuda"), input_ids=texts.to("cuda"), return_loss=True)
            accelerator.backward(out.loss)
            optimizer.step()
            optimizer.zero_grad()
            step += 1
        """,
    ),
    Invalid(
        """
        import torch
        from transformers import AutoModelForCausalLM

        device = "cuda"
        model = AutoModelForCausalLM.from_pretrained("gpt2")
        model.to(device)
        optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)


        def train(loader, epochs):
            for epoch in range(epochs):
                for batch in loader:
                    loss = model(**{k: v.to(device) for k, v in batch.items()}).loss
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()


        def finetune_head(loader):
            for batch in loader:
                loss = model(**{k: v.to(device) for k, v in batch.items()}).loss
                loss.backward()
                optimizer.step()
        """,
        at=[(11, 5)],
    ),
    Valid(
        """
        import torch
        from accelerate import Accelerator
        from transformers import AutoModelForSequenceClassification

        accelerator = Accelerator()
        model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased")
        optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
        model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
        for batch in loader:
            batch = {k: v.to(accelerator.device) for k, v in batch.items()}
            loss = model(**batch).loss
            accelerator.backward(loss)
            optimizer.step()
            optimizer.zero_grad()
        """,
        why='accelerate places the model and batches',
    ),
    Valid(
        """
        import torch
        from transformers import AutoModelForCausalLM, Trainer, TrainingArguments

        model = AutoModelForCausalLM.from_pretrained("gpt2").to("cuda")
        trainer = Trainer(model=model, args=TrainingArguments(output_dir="out"), train_dataset=ds)
        trainer.train()
        """,
        why='the Trainer places everything',
    ),
    Valid(
        """
        import torch
        from torch import nn

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        model = nn.Linear(784, 10).to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
        """,
        why='no transformers in the file',
    ),
    Valid(
        """
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        device = "cuda" if torch.cuda.is_available() else "cpu"
        tokenizer = AutoTokenizer.from_pretrained("distilbert-base-uncased-finetuned-sst-2-english")
        model = AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased-finetuned-sst-2-english").to(device)
        with torch.no_grad():
            for texts in batches:
                inputs = tokenizer(texts, return_tensors="pt", padding=True).to(device)
                print(model(**inputs).logits.argmax(-1).tolist())
        """,
        why='inference only: nothing is trained',
    ),
    Valid(
        """
        import torch
        from transformers import AutoModelForCausalLM

        model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B", device_map="auto", torch_dtype=torch.bfloat16)
        optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
        for batch in loader:
            batch = {k: v.to(model.device) for k, v in batch.items()}
            loss = model(**batch).loss
            loss.backward()
            optimizer.step()
        """,
        why='a model dispatched across devices with device_map',
    ),
    Valid(
        """
        import torch
        from transformers import BertConfig, BertForSequenceClassification

        model = BertForSequenceClassification(BertConfig(num_hidden_layers=2))
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
        for batch in loader:
            loss = model(**batch).loss
            loss.backward()
            optimizer.step()
        """,
        why='nothing is moved: the loop trains on CPU',
    ),
    Valid(
        """
        import lightning as L
        import torch
        from transformers import AutoModelForCausalLM

        fabric = L.Fabric(accelerator="cuda", devices=2, precision="bf16-mixed")
        model = AutoModelForCausalLM.from_pretrained("gpt2")
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-5)
        model, optimizer = fabric.setup(model, optimizer)
        for batch in loader:
            batch = {k: v.to(fabric.device) for k, v in batch.items()}
            loss = model(**batch).loss
            fabric.backward(loss)
            optimizer.step()
        """,
        why='Lightning Fabric places the model and batches',
    ),
    Valid(
        """
        import torch
        from transformers import AutoModel

        model = AutoModel.from_pretrained("bert-base-uncased").to(torch.bfloat16)
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
        for batch in loader:
            loss = model(**batch).last_hidden_state.float().pow(2).mean()
            loss.backward()
            optimizer.step()
        """,
        why='.to() converts the dtype, not the device',
    ),
    # the module defines a function named accelerator: the inserted Accelerator takes another name
    Invalid(
        """
        import torch
        from transformers import AutoModelForCausalLM


        def accelerator(name="auto"):
            return torch.device("cuda" if name == "auto" and torch.cuda.is_available() else name)


        device = torch.device("cuda")
        model = AutoModelForCausalLM.from_pretrained("gpt2").to(device)
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-5)
        for batch in train_loader:
            batch = {k: v.to(device) for k, v in batch.items()}
            loss = model(**batch).loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        """,
        at=[(12, 1)],
        action="""
        import torch
        from transformers import AutoModelForCausalLM
        from accelerate import Accelerator


        def accelerator(name="auto"):
            return torch.device("cuda" if name == "auto" and torch.cuda.is_available() else name)


        device = torch.device("cuda")
        model = AutoModelForCausalLM.from_pretrained("gpt2").to(device)
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-5)
        # TL303: accelerate places the model, optimizer and batches on its device (CPU, one or many GPUs,
        # mixed precision: see `accelerate config`); the .to(device) / .cuda() calls can then go.
        hf_accelerator = Accelerator()
        model, optimizer, train_loader = hf_accelerator.prepare(model, optimizer, train_loader)
        device = hf_accelerator.device

        for batch in train_loader:
            batch = {k: v.to(device) for k, v in batch.items()}
            loss = model(**batch).loss
            hf_accelerator.backward(loss)
            optimizer.step()
            optimizer.zero_grad()
        """,
    ),
]
