from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        from torch.utils.data import DataLoader
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        MODEL_NAME = "distilbert-base-uncased"

        tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
        model = AutoModelForSequenceClassification.from_pretrained(MODEL_NAME, num_labels=2)
        train_loader = DataLoader(train_dataset, batch_size=32, shuffle=True)
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-5, weight_decay=0.01)

        model.train()
        for epoch in range(3):
            for batch in train_loader:
                outputs = model(**batch)
                loss = outputs.loss
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
            print(f"epoch {epoch} done, last loss {loss.item():.4f}")
        """,
        at=[(13, 1)],
        action="""
        import torch
        from torch.utils.data import DataLoader
        from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments

        MODEL_NAME = "distilbert-base-uncased"

        tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
        model = AutoModelForSequenceClassification.from_pretrained(MODEL_NAME, num_labels=2)
        train_loader = DataLoader(train_dataset, batch_size=32, shuffle=True)
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-5, weight_decay=0.01)

        model.train()
        # TL301: transformers.Trainer runs this fine-tuning loop (schedule, mixed precision, accumulation,
        # checkpoints). It calls model(**batch), so the dataset must yield dicts of model inputs with
        # "labels". Check the arguments against the loop below, then delete that loop.
        training_args = TrainingArguments(
            output_dir="outputs",  # checkpoints and logs
            num_train_epochs=3,
            per_device_train_batch_size=32,
            learning_rate=3e-5,
            weight_decay=0.01,
        )
        trainer = Trainer(
            model=model,
            args=training_args,
            train_dataset=train_dataset,
            processing_class=tokenizer,
        )
        trainer.train()

        for epoch in range(3):
            for batch in train_loader:
                outputs = model(**batch)
                loss = outputs.loss
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
            print(f"epoch {epoch} done, last loss {loss.item():.4f}")
        """,
    ),
    Invalid(
        """
        import torch
        from transformers import GPT2LMHeadModel


        def train(model, loader, optimizer, epochs, scaler):
            model.train()
            for epoch in range(epochs):
                for step, batch in enumerate(loader):
                    with torch.autocast("cuda", dtype=torch.bfloat16):
                        outputs = model(
                            input_ids=batch["input_ids"],
                            attention_mask=batch["attention_mask"],
                            labels=batch["input_ids"],
                        )
                    loss = outputs["loss"]
                    scaler.scale(loss).backward()
                    scaler.step(optimizer)
                    scaler.update()
                    optimizer.zero_grad(set_to_none=True)


        def main(args):
            model = GPT2LMHeadModel.from_pretrained("gpt2")
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
            train(model, build_loader(args), optimizer, args.epochs, torch.amp.GradScaler("cuda"))
        """,
        at=[(7, 5)],
        action="""
        import torch
        from transformers import GPT2LMHeadModel, Trainer, TrainingArguments


        def train(model, loader, optimizer, epochs, scaler):
            model.train()
            # TL301: transformers.Trainer runs this fine-tuning loop (schedule, mixed precision, accumulation,
            # checkpoints). It calls model(**batch), so the dataset must yield dicts of model inputs with
            # "labels". Check the arguments against the loop below, then delete that loop.
            training_args = TrainingArguments(
                output_dir="outputs",  # checkpoints and logs
                num_train_epochs=epochs,
                per_device_train_batch_size=loader.batch_size,
                learning_rate=optimizer.param_groups[0]["lr"],
            )
            trainer = Trainer(
                model=model,
                args=training_args,
                train_dataset=loader.dataset,
            )
            trainer.train()

            for epoch in range(epochs):
                for step, batch in enumerate(loader):
                    with torch.autocast("cuda", dtype=torch.bfloat16):
                        outputs = model(
                            input_ids=batch["input_ids"],
                            attention_mask=batch["attention_mask"],
                            labels=batch["input_ids"],
                        )
                    loss = outputs["loss"]
                    scaler.scale(loss).backward()
                    scaler.step(optimizer)
                    scaler.update()
                    optimizer.zero_grad(set_to_none=True)


        def main(args):
            model = GPT2LMHeadModel.from_pretrained("gpt2")
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
            train(model, build_loader(args), optimizer, args.epochs, torch.amp.GradScaler("cuda"))
        """,
    ),
    Invalid(
        """
        import torch
        from tqdm.auto import tqdm
        from transformers import T5ForConditionalGeneration, T5TokenizerFast


        class SummarizationFineTuner:
            def __init__(self, cfg, train_loader, val_loader):
                self.tokenizer = T5TokenizerFast.from_pretrained(cfg.model_name)
                self.model = T5ForConditionalGeneration.from_pretrained(cfg.model_name)
                self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr)
                self.train_loader = train_loader
                self.val_loader = val_loader
                self.grad_accum = cfg.grad_accum
                self.epochs = cfg.epochs

            @torch.no_grad()
            def validate(self):
                self.model.eval()
                losses = [self.model(**batch).loss.item() for batch in self.val_loader]
                return sum(losses) / len(losses)

            def fit(self):
                for epoch in range(self.epochs):
                    self.model.train()
                    for step, batch in enumerate(tqdm(self.train_loader, desc=f"epoch {epoch}")):
                        loss = self.model(**batch).loss
                        loss = loss / self.grad_accum
                        loss.backward()
                        if (step + 1) % self.grad_accum == 0:
                            self.optimizer.step()
                            self.optimizer.zero_grad()
                    print(epoch, self.validate())
        """,
        at=[(23, 9)],
        action="""
        import torch
        from tqdm.auto import tqdm
        from transformers import T5ForConditionalGeneration, T5TokenizerFast, Trainer, TrainingArguments


        class SummarizationFineTuner:
            def __init__(self, cfg, train_loader, val_loader):
                self.tokenizer = T5TokenizerFast.from_pretrained(cfg.model_name)
                self.model = T5ForConditionalGeneration.from_pretrained(cfg.model_name)
                self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr)
                self.train_loader = train_loader
                self.val_loader = val_loader
                self.grad_accum = cfg.grad_accum
                self.epochs = cfg.epochs

            @torch.no_grad()
            def validate(self):
                self.model.eval()
                losses = [self.model(**batch).loss.item() for batch in self.val_loader]
                return sum(losses) / len(losses)

            def fit(self):
                # TL301: transformers.Trainer runs this fine-tuning loop (schedule, mixed precision, accumulation,
                # checkpoints). It calls model(**batch), so the dataset must yield dicts of model inputs with
                # "labels". Check the arguments against the loop below, then delete that loop.
                training_args = TrainingArguments(
                    output_dir="outputs",  # checkpoints and logs
                    num_train_epochs=self.epochs,
                    per_device_train_batch_size=self.train_loader.batch_size,
                    learning_rate=self.optimizer.param_groups[0]["lr"],
                )
                trainer = Trainer(
                    model=self.model,
                    args=training_args,
                    train_dataset=self.train_loader.dataset,
                    processing_class=self.tokenizer,
                )
                trainer.train()

                for epoch in range(self.epochs):
                    self.model.train()
                    for step, batch in enumerate(tqdm(self.train_loader, desc=f"epoch {epoch}")):
                        loss = self.model(**batch).loss
                        loss = loss / self.grad_accum
                        loss.backward()
                        if (step + 1) % self.grad_accum == 0:
                            self.optimizer.step()
                            self.optimizer.zero_grad()
                    print(epoch, self.validate())
        """,
    ),
    Invalid(
        """
        import torch
        from torch import nn
        from transformers import RobertaConfig, RobertaModel, RobertaPreTrainedModel


        class RobertaRegressor(RobertaPreTrainedModel):
            def __init__(self, config: RobertaConfig):
                super().__init__(config)
                self.roberta = RobertaModel(config, add_pooling_layer=False)
                self.head = nn.Linear(config.hidden_size, 1)

            def forward(self, input_ids, attention_mask=None, labels=None):
                hidden = self.roberta(input_ids, attention_mask=attention_mask).last_hidden_state
                preds = self.head(hidden[:, 0]).squeeze(-1)
                loss = nn.functional.mse_loss(preds, labels) if labels is not None else None
                return {"loss": loss, "preds": preds}


        def main(loader, max_steps=10_000):
            model = RobertaRegressor.from_pretrained("roberta-base")
            opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
            step = 0
            while step < max_steps:
                for batch in loader:
                    out = model(**batch)
                    out["loss"].backward()
                    opt.step()
                    opt.zero_grad()
                    step += 1
        """,
        at=[(23, 5)],
        action="""
        import torch
        from torch import nn
        from transformers import RobertaConfig, RobertaModel, RobertaPreTrainedModel, Trainer, TrainingArguments


        class RobertaRegressor(RobertaPreTrainedModel):
            def __init__(self, config: RobertaConfig):
                super().__init__(config)
                self.roberta = RobertaModel(config, add_pooling_layer=False)
                self.head = nn.Linear(config.hidden_size, 1)

            def forward(self, input_ids, attention_mask=None, labels=None):
                hidden = self.roberta(input_ids, attention_mask=attention_mask).last_hidden_state
                preds = self.head(hidden[:, 0]).squeeze(-1)
                loss = nn.functional.mse_loss(preds, labels) if labels is not None else None
                return {"loss": loss, "preds": preds}


        def main(loader, max_steps=10_000):
            model = RobertaRegressor.from_pretrained("roberta-base")
            opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
            step = 0
            # TL301: transformers.Trainer runs this fine-tuning loop (schedule, mixed precision, accumulation,
            # checkpoints). It calls model(**batch), so the dataset must yield dicts of model inputs with
            # "labels". Check the arguments against the loop below, then delete that loop.
            training_args = TrainingArguments(
                output_dir="outputs",  # checkpoints and logs
                max_steps=max_steps,
                per_device_train_batch_size=loader.batch_size,
                learning_rate=1e-5,
            )
            trainer = Trainer(
                model=model,
                args=training_args,
                train_dataset=loader.dataset,
            )
            trainer.train()

            while step < max_steps:
                for batch in loader:
                    out = model(**batch)
                    out["loss"].backward()
                    opt.step()
                    opt.zero_grad()
                    step += 1
        """,
    ),
    Invalid(
        """
        import torch
        import transformers
        from peft import LoraConfig, get_peft_model

        device = "cuda" if torch.cuda.is_available() else "cpu"
        base = transformers.AutoModelForCausalLM.from_pretrained("facebook/opt-125m").to(device)
        model = get_peft_model(base, LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"]))
        optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=2e-4)

        for batch in warmup_batches:
            model(**batch).loss.backward()
            optimizer.step()
            optimizer.zero_grad()

        for epoch in range(2):
            for batch in train_batches:
                loss = model(**batch).loss
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
        """,
        at=[(10, 1)],
    ),
    Valid(
        """
        from transformers import AutoModelForSequenceClassification, Trainer, TrainingArguments

        model = AutoModelForSequenceClassification.from_pretrained("bert-base-cased", num_labels=5)
        args = TrainingArguments(output_dir="out", num_train_epochs=3, learning_rate=2e-5, bf16=True)
        trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds)
        trainer.train()
        """,
        why='the Trainer runs the loop',
    ),
    Valid(
        """
        import torch
        from accelerate import Accelerator
        from transformers import AutoModelForCausalLM

        accelerator = Accelerator(mixed_precision="bf16")
        model = AutoModelForCausalLM.from_pretrained("gpt2")
        optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
        model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
        for batch in loader:
            outputs = model(**batch)
            accelerator.backward(outputs.loss)
            optimizer.step()
            optimizer.zero_grad()
        """,
        why='accelerate runs the loop',
    ),
    Valid(
        """
        import torch
        import torch.nn.functional as F
        from transformers import AutoModel

        encoder = AutoModel.from_pretrained("bert-base-uncased")
        optimizer = torch.optim.AdamW(encoder.parameters(), lr=3e-5)
        temperature = 0.05

        for epoch in range(1):
            for batch in loader:
                z1 = encoder(**batch).last_hidden_state[:, 0]
                z2 = encoder(**batch).last_hidden_state[:, 0]
                sim = F.cosine_similarity(z1.unsqueeze(1), z2.unsqueeze(0), dim=-1) / temperature
                loss = F.cross_entropy(sim, torch.arange(sim.size(0)))
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
        """,
        why='a contrastive objective (SimCSE) that Trainer cannot express as is',
    ),
    Valid(
        """
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        policy = AutoModelForCausalLM.from_pretrained("gpt2")
        tokenizer = AutoTokenizer.from_pretrained("gpt2")
        optimizer = torch.optim.Adam(policy.parameters(), lr=1.41e-5)


        def ppo_step(queries, responses, advantages, old_logprobs, clip=0.2):
            for _ in range(4):
                logits = policy(torch.cat([queries, responses], dim=1)).logits
                logprobs = torch.log_softmax(logits[:, :-1], dim=-1).gather(-1, responses.unsqueeze(-1)).squeeze(-1)
                ratio = torch.exp(logprobs - old_logprobs)
                loss = -torch.min(ratio * advantages, ratio.clamp(1 - clip, 1 + clip) * advantages).mean()
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
        """,
        why='a policy-gradient objective over a language model (RLHF)',
    ),
    Valid(
        """
        import torch
        import torch.nn.functional as F
        from transformers import AutoModelForSequenceClassification

        teacher = AutoModelForSequenceClassification.from_pretrained("bert-large-uncased").eval()
        student = AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased")
        optimizer = torch.optim.AdamW(student.parameters(), lr=5e-5)

        for batch in loader:
            with torch.no_grad():
                teacher_logits = teacher(**batch).logits
            out = student(**batch)
            kd = F.kl_div(F.log_softmax(out.logits / 2.0, -1), F.softmax(teacher_logits / 2.0, -1), reduction="batchmean")
            loss = 0.5 * out.loss + 0.5 * kd
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        """,
        why='knowledge distillation mixes the model loss with another term',
    ),
    Valid(
        """
        import torch
        from transformers import AutoModelForCausalLM

        model = AutoModelForCausalLM.from_pretrained("mistralai/Mixtral-8x7B-v0.1")
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
        for batch in loader:
            outputs = model(**batch, output_router_logits=True)
            loss = outputs.loss
            loss += 0.02 * outputs.aux_loss
            loss.backward()
            optimizer.step()
        """,
        why='an auxiliary loss is added to the model loss',
    ),
    Valid(
        """
        import torch
        from torch import nn
        from transformers import get_cosine_schedule_with_warmup

        model = nn.Sequential(nn.Linear(128, 256), nn.ReLU(), nn.Linear(256, 10))
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
        scheduler = get_cosine_schedule_with_warmup(optimizer, 100, 1000)
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            scheduler.step()
        """,
        why='no HuggingFace model: transformers only provides the schedule',
    ),
    Valid(
        """
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained("t5-small")
        model = AutoModelForSeq2SeqLM.from_pretrained("t5-small").eval()
        total = 0.0
        with torch.no_grad():
            for batch in loader:
                total += model(**batch).loss.item()
        print(total / len(loader))
        """,
        why='inference only: no backward',
    ),
    Valid(
        """
        import torch
        from transformers import AutoModelForCausalLM
        from trl import SFTConfig, SFTTrainer

        model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B")
        trainer = SFTTrainer(model=model, args=SFTConfig(output_dir="sft"), train_dataset=dataset)
        trainer.train()
        """,
        why='TRL trainer owns the loop',
    ),
    Invalid(
        """
        import argparse

        import torch
        from torch.utils.data import DataLoader, RandomSampler
        from transformers import (
            BertConfig,
            BertForSequenceClassification,
            BertTokenizer,
            RobertaConfig,
            RobertaForSequenceClassification,
            RobertaTokenizer,
        )

        MODEL_CLASSES = {
            "bert": (BertConfig, BertForSequenceClassification, BertTokenizer),
            "roberta": (RobertaConfig, RobertaForSequenceClassification, RobertaTokenizer),
        }


        def train(args, train_dataset, model, tokenizer):
            train_dataloader = DataLoader(train_dataset, sampler=RandomSampler(train_dataset), batch_size=args.train_batch_size)
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, weight_decay=args.weight_decay)
            model.zero_grad()
            for _ in range(int(args.num_train_epochs)):
                for step, batch in enumerate(train_dataloader):
                    model.train()
                    batch = tuple(t.to(args.device) for t in batch)
                    inputs = {"input_ids": batch[0], "attention_mask": batch[1], "labels": batch[3]}
                    outputs = model(**inputs)
                    loss = outputs[0]  # model outputs are always tuple in transformers (see doc)
                    loss.backward()
                    optimizer.step()
                    model.zero_grad()
            return model


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--model_type", default="bert")
            parser.add_argument("--model_name_or_path", default="bert-base-uncased")
            args = parser.parse_args()
            config_class, model_class, tokenizer_class = MODEL_CLASSES[args.model_type]
            config = config_class.from_pretrained(args.model_name_or_path, num_labels=2)
            tokenizer = tokenizer_class.from_pretrained(args.model_name_or_path)
            model = model_class.from_pretrained(args.model_name_or_path, config=config)
            train(args, load_dataset(args, tokenizer), model, tokenizer)
        """,
        at=[(24, 5)],
        action="""
        import argparse

        import torch
        from torch.utils.data import DataLoader, RandomSampler
        from transformers import (
            BertConfig,
            BertForSequenceClassification,
            BertTokenizer,
            RobertaConfig,
            RobertaForSequenceClassification,
            RobertaTokenizer, Trainer, TrainingArguments,
        )

        MODEL_CLASSES = {
            "bert": (BertConfig, BertForSequenceClassification, BertTokenizer),
            "roberta": (RobertaConfig, RobertaForSequenceClassification, RobertaTokenizer),
        }


        def train(args, train_dataset, model, tokenizer):
            train_dataloader = DataLoader(train_dataset, sampler=RandomSampler(train_dataset), batch_size=args.train_batch_size)
            optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, weight_decay=args.weight_decay)
            model.zero_grad()
            # TL301: transformers.Trainer runs this fine-tuning loop (schedule, mixed precision, accumulation,
            # checkpoints). It calls model(**batch), so the dataset must yield dicts of model inputs with
            # "labels". Check the arguments against the loop below, then delete that loop.
            training_args = TrainingArguments(
                output_dir="outputs",  # checkpoints and logs
                num_train_epochs=int(args.num_train_epochs),
                per_device_train_batch_size=args.train_batch_size,
                learning_rate=args.learning_rate,
                weight_decay=args.weight_decay,
            )
            trainer = Trainer(
                model=model,
                args=training_args,
                train_dataset=train_dataset,
                processing_class=tokenizer,
            )
            trainer.train()

            for _ in range(int(args.num_train_epochs)):
                for step, batch in enumerate(train_dataloader):
                    model.train()
                    batch = tuple(t.to(args.device) for t in batch)
                    inputs = {"input_ids": batch[0], "attention_mask": batch[1], "labels": batch[3]}
                    outputs = model(**inputs)
                    loss = outputs[0]  # model outputs are always tuple in transformers (see doc)
                    loss.backward()
                    optimizer.step()
                    model.zero_grad()
            return model


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--model_type", default="bert")
            parser.add_argument("--model_name_or_path", default="bert-base-uncased")
            args = parser.parse_args()
            config_class, model_class, tokenizer_class = MODEL_CLASSES[args.model_type]
            config = config_class.from_pretrained(args.model_name_or_path, num_labels=2)
            tokenizer = tokenizer_class.from_pretrained(args.model_name_or_path)
            model = model_class.from_pretrained(args.model_name_or_path, config=config)
            train(args, load_dataset(args, tokenizer), model, tokenizer)
        """,
    ),  # model and tokenizer classes unpacked from a MODEL_CLASSES table; the loss is outputs[0]
    Invalid(
        """
        import torch
        from transformers import AutoModelForMaskedLM, AutoModelForSequenceClassification

        MODEL_CLASSES = {"mlm": AutoModelForMaskedLM, "cls": AutoModelForSequenceClassification}


        class FineTuner:
            def __init__(self, task, path, loader):
                self.model = MODEL_CLASSES[task].from_pretrained(path)
                self.loader = loader
                self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=3e-5)

            def fit(self, epochs):
                self.model.train()
                for epoch in range(epochs):
                    for batch in self.loader:
                        outputs = self.model.forward(**batch)
                        outputs.loss.backward()
                        self.optimizer.step()
                        self.optimizer.zero_grad()
        """,
        at=[(15, 9)],
        action="""
        import torch
        from transformers import AutoModelForMaskedLM, AutoModelForSequenceClassification, Trainer, TrainingArguments

        MODEL_CLASSES = {"mlm": AutoModelForMaskedLM, "cls": AutoModelForSequenceClassification}


        class FineTuner:
            def __init__(self, task, path, loader):
                self.model = MODEL_CLASSES[task].from_pretrained(path)
                self.loader = loader
                self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=3e-5)

            def fit(self, epochs):
                self.model.train()
                # TL301: transformers.Trainer runs this fine-tuning loop (schedule, mixed precision, accumulation,
                # checkpoints). It calls model(**batch), so the dataset must yield dicts of model inputs with
                # "labels". Check the arguments against the loop below, then delete that loop.
                training_args = TrainingArguments(
                    output_dir="outputs",  # checkpoints and logs
                    num_train_epochs=epochs,
                    per_device_train_batch_size=self.loader.batch_size,
                    learning_rate=self.optimizer.param_groups[0]["lr"],
                )
                trainer = Trainer(
                    model=self.model,
                    args=training_args,
                    train_dataset=self.loader.dataset,
                )
                trainer.train()

                for epoch in range(epochs):
                    for batch in self.loader:
                        outputs = self.model.forward(**batch)
                        outputs.loss.backward()
                        self.optimizer.step()
                        self.optimizer.zero_grad()
        """,
    ),  # a model class looked up in a table; the loop calls model.forward(...)
    Invalid(
        """
        import torch
        from torch.utils.data import DataLoader
        from transformers import AutoModelForSequenceClassification


        def build_classifier(name, num_labels):
            classifier = AutoModelForSequenceClassification.from_pretrained(name, num_labels=num_labels)
            classifier.config.problem_type = "single_label_classification"
            return classifier


        def main(train_set, epochs=3):
            bert = build_classifier("roberta-base", 3).to("cuda")
            train_loader = DataLoader(train_set, batch_size=16, shuffle=True, num_workers=4)
            optimizer = torch.optim.AdamW(bert.parameters(), lr=2e-5)
            for epoch in range(epochs):
                for batch in train_loader:
                    batch = {k: v.to("cuda") for k, v in batch.items()}
                    loss = bert(**batch)[0]
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
        """,
        at=[(16, 5)],
        action="""
        import torch
        from torch.utils.data import DataLoader
        from transformers import AutoModelForSequenceClassification, Trainer, TrainingArguments


        def build_classifier(name, num_labels):
            classifier = AutoModelForSequenceClassification.from_pretrained(name, num_labels=num_labels)
            classifier.config.problem_type = "single_label_classification"
            return classifier


        def main(train_set, epochs=3):
            bert = build_classifier("roberta-base", 3).to("cuda")
            train_loader = DataLoader(train_set, batch_size=16, shuffle=True, num_workers=4)
            optimizer = torch.optim.AdamW(bert.parameters(), lr=2e-5)
            # TL301: transformers.Trainer runs this fine-tuning loop (schedule, mixed precision, accumulation,
            # checkpoints). It calls model(**batch), so the dataset must yield dicts of model inputs with
            # "labels". Check the arguments against the loop below, then delete that loop.
            training_args = TrainingArguments(
                output_dir="outputs",  # checkpoints and logs
                num_train_epochs=epochs,
                per_device_train_batch_size=16,
                learning_rate=2e-5,
            )
            trainer = Trainer(
                model=bert,
                args=training_args,
                train_dataset=train_set,
            )
            trainer.train()

            for epoch in range(epochs):
                for batch in train_loader:
                    batch = {k: v.to("cuda") for k, v in batch.items()}
                    loss = bert(**batch)[0]
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
        """,
    ),  # a model built by a helper of the module (a name unlike 'model'); the loss is [0] of its output
    Valid(
        """
        import torch
        import torch.nn.functional as F
        from transformers import BertConfig, BertModel, RobertaConfig, RobertaModel

        MODEL_CLASSES = {"bert": (BertConfig, BertModel), "roberta": (RobertaConfig, RobertaModel)}


        def train(args, loader):
            config_class, model_class = MODEL_CLASSES[args.model_type]
            encoder = model_class.from_pretrained(args.model_name_or_path)
            head = torch.nn.Linear(encoder.config.hidden_size, 2)
            optimizer = torch.optim.AdamW([*encoder.parameters(), *head.parameters()], lr=2e-5)
            for input_ids, labels in loader:
                pooled = encoder(input_ids)[0][:, 0]
                loss = F.cross_entropy(head(pooled), labels)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
        """,
        why="the model's hidden states feed a custom head and loss: `[0]` is not the model's loss",
    ),
    Valid(
        """
        import torch
        from transformers import BertConfig, BertForPreTraining

        MODEL_CLASSES = {"bert": (BertConfig, BertForPreTraining)}


        def compute_losses(model, batch):
            outputs = model(**batch)
            mlm = outputs.prediction_logits.log_softmax(-1).mean()
            return -mlm, outputs.seq_relationship_logits.mean()


        def train(args, loader):
            _, model_class = MODEL_CLASSES["bert"]
            model = model_class.from_pretrained(args.model_name_or_path)
            optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
            for batch in loader:
                loss = compute_losses(model, batch)[0]
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
        """,
        why="`[0]` of a project loss helper is a custom objective, not the model's own loss",
    ),
    Valid(
        """
        import torch
        from torch import nn
        from transformers import AutoTokenizer


        def load_tokenizer(name):
            tokenizer = AutoTokenizer.from_pretrained(name)
            tokenizer.pad_token = tokenizer.eos_token
            return tokenizer


        class TextCNN(nn.Module):
            def __init__(self, vocab_size):
                super().__init__()
                self.embed = nn.EmbeddingBag(vocab_size, 128)
                self.fc = nn.Linear(128, 2)

            def forward(self, input_ids):
                return self.fc(self.embed(input_ids))


        def train(loader, epochs):
            tokenizer = load_tokenizer("gpt2")
            model = TextCNN(len(tokenizer))
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
            for epoch in range(epochs):
                for input_ids, labels in loader:
                    outputs = model(input_ids)
                    loss = nn.functional.cross_entropy(outputs, labels)
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
        """,
        why='the helper returns a tokenizer, not a model: no HuggingFace model is trained',
    ),
    Invalid(
        """
        import argparse

        import torch
        from torch.utils.data import DataLoader
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        from data import load_reviews


        def load_model(name, num_labels):
            tokenizer = AutoTokenizer.from_pretrained(name)
            model = AutoModelForSequenceClassification.from_pretrained(name, num_labels=num_labels)
            return model, tokenizer


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--model-name", default="distilbert-base-uncased")
            parser.add_argument("--output-dir", default="checkpoints/reviews")
            args = parser.parse_args()
            classifier, tok = load_model(args.model_name, num_labels=2)
            loader = DataLoader(load_reviews(tok), batch_size=32, shuffle=True)
            optimizer = torch.optim.AdamW(classifier.parameters(), lr=2e-5)
            classifier.train()
            for epoch in range(3):
                for batch in loader:
                    outputs = classifier(**batch)
                    loss = outputs[0]
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
            classifier.save_pretrained(args.output_dir)


        if __name__ == "__main__":
            main()
        """,
        at=[(25, 5)],
        action="""
        import argparse

        import torch
        from torch.utils.data import DataLoader
        from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments

        from data import load_reviews


        def load_model(name, num_labels):
            tokenizer = AutoTokenizer.from_pretrained(name)
            model = AutoModelForSequenceClassification.from_pretrained(name, num_labels=num_labels)
            return model, tokenizer


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--model-name", default="distilbert-base-uncased")
            parser.add_argument("--output-dir", default="checkpoints/reviews")
            args = parser.parse_args()
            classifier, tok = load_model(args.model_name, num_labels=2)
            loader = DataLoader(load_reviews(tok), batch_size=32, shuffle=True)
            optimizer = torch.optim.AdamW(classifier.parameters(), lr=2e-5)
            classifier.train()
            # TL301: transformers.Trainer runs this fine-tuning loop (schedule, mixed precision, accumulation,
            # checkpoints). It calls model(**batch), so the dataset must yield dicts of model inputs with
            # "labels". Check the arguments against the loop below, then delete that loop.
            training_args = TrainingArguments(
                output_dir="outputs",  # checkpoints and logs
                num_train_epochs=3,
                per_device_train_batch_size=32,
                learning_rate=2e-5,
            )
            trainer = Trainer(
                model=classifier,
                args=training_args,
                train_dataset=loader.dataset,
                processing_class=tok,
            )
            trainer.train()

            for epoch in range(3):
                for batch in loader:
                    outputs = classifier(**batch)
                    loss = outputs[0]
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
            classifier.save_pretrained(args.output_dir)


        if __name__ == "__main__":
            main()
        """,
    ),  # the model comes from a helper that returns it with its tokenizer: `classifier, tok = load_model(...)`
    Valid(
        """
        import torch
        import torch.nn.functional as F
        from transformers import AutoModel, AutoTokenizer


        def load_encoder(name):
            tokenizer = AutoTokenizer.from_pretrained(name)
            encoder = AutoModel.from_pretrained(name)
            return encoder, tokenizer


        def train_simcse(loader, epochs, name="bert-base-uncased"):
            encoder, tokenizer = load_encoder(name)
            optimizer = torch.optim.AdamW(encoder.parameters(), lr=3e-5)
            for epoch in range(epochs):
                for batch in loader:
                    first = encoder(**batch).last_hidden_state[:, 0]
                    second = encoder(**batch).last_hidden_state[:, 0]
                    sim = F.cosine_similarity(first.unsqueeze(1), second.unsqueeze(0), dim=-1)
                    loss = F.cross_entropy(sim / 0.05, torch.arange(len(sim)))
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
            encoder.save_pretrained("simcse")
            tokenizer.save_pretrained("simcse")
        """,
        why="the helper's encoder trains on a contrastive objective, not on the model's own loss",
    ),
]
