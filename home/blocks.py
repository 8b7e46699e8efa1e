"""StreamField blocks for column articles. Each has a template, an icon and an admin preview."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]


class ImageWithCaptionBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("图片"))
    # Alt text is required here: a content image without it fails our accessibility bar.
    alt_text = blocks.CharBlock(label=_("替代文字"), max_length=200, help_text=_("为读屏软件描述图片内容。"))
    caption = blocks.CharBlock(label=_("图注"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("图片")
        template = "home/blocks/image_with_caption_block.html"
        preview_value = {"alt_text": "安全咨询日现场", "caption": "安全咨询日现场，工作人员向市民讲解燃气安全知识。"}
        description = _("一张带替代文字和图注的图片。")


class VideoBlock(blocks.StructBlock):
    # Videos are uploaded as documents and served by us: foreign video hosts are unreachable for many readers.
    video = DocumentChooserBlock(label=_("视频文件（MP4）"))
    poster = ImageChooserBlock(label=_("封面图"), required=False)
    title = blocks.CharBlock(label=_("视频标题"), max_length=100)
    transcript = blocks.TextBlock(label=_("文字稿"), required=False, help_text=_("供听障读者和无法播放视频时阅读。"))

    class Meta:
        icon = "media"
        label = _("视频")
        template = "home/blocks/video_block.html"
        preview_value = {"title": "燃气泄漏应急处置演示", "transcript": "发现燃气泄漏，先关阀门，再开窗通风。"}
        description = _("本站托管的 MP4 视频，可附文字稿。")


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("引文"))
    attribution = blocks.CharBlock(label=_("出处"), required=False, max_length=100)

    class Meta:
        icon = "openquote"
        label = _("引用")
        template = "home/blocks/quote_block.html"
        preview_value = {"text": "事故是企业最大的成本，安全是企业最大的效益。", "attribution": "市安委会办公室"}
        description = _("一段引文及其出处。")


class KnowledgeCardBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("标题"), max_length=60)
    points = blocks.ListBlock(blocks.CharBlock(max_length=200), label=_("要点"))
    tip = blocks.CharBlock(label=_("提示"), required=False, max_length=200)

    class Meta:
        icon = "help"
        label = _("知识卡片")
        template = "home/blocks/knowledge_card_block.html"
        preview_value = {
            "title": "燃气泄漏怎么办",
            "points": ["不开关电器，不用明火", "关闭燃气阀门，开窗通风", "到室外拨打燃气抢修电话"],
            "tip": "火警请拨打 119。",
        }
        description = _("几条实用的安全要点。")


class AttachmentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("文件"))
    label = blocks.CharBlock(label=_("显示名称"), required=False, max_length=100)

    class Meta:
        icon = "doc-full"
        label = _("附件")
        template = "home/blocks/attachment_block.html"
        preview_value = {"label": "2026年安全生产月活动方案（PDF）"}
        description = _("可下载的文件。")


class DataTableBlock(TableBlock):
    class Meta:
        icon = "table"
        label = _("表格")
        template = "home/blocks/table_block.html"
        preview_value = {
            "first_row_is_table_header": True,
            "table_caption": "许可证申报情况",
            "data": [["类别", "申报", "已发证"], ["非煤矿山", "29", "4"], ["危险化学品", "11", "5"]],
        }
        description = _("带表头的数据表。")


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES,
        label=_("正文"),
        icon="pilcrow",
        template="home/blocks/paragraph_block.html",
        preview_value="<p>“安全生产月”期间，全市各镇街广泛开展安全宣传进企业、进学校、进社区活动。</p>",
        description=_("段落、小标题、列表和链接。"),
    )
    image = ImageWithCaptionBlock()
    video = VideoBlock()
    quote = QuoteBlock()
    knowledge_card = KnowledgeCardBlock()
    attachment = AttachmentBlock()
    table = DataTableBlock()
